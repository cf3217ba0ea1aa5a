import autocannon from 'autocannon';

export interface LoadOptions {
  /** Path on `baseUrl`, or a function giving each request's path (spread over ids). */
  path: string | (() => string);
  method?: 'GET' | 'POST';
  connections: number;
  durationS: number;
}

export interface LoadResult {
  /** 2xx responses per second of run time. */
  rps: number;
  ok: number;
  /** Non-2xx responses plus connection errors and timeouts: reported, and a scenario with any is flagged. */
  failed: number;
  p50Ms: number;
  p99Ms: number;
  durationS: number;
}

/** One timed response: when it was sent (epoch ms) and how long it took. */
export interface ResponseSample {
  sentAtMs: number;
  latencyMs: number;
  status: number;
}

function requestsOf(options: LoadOptions): autocannon.Request[] {
  const method = options.method ?? 'GET';
  const { path } = options;
  if (typeof path === 'string') return [{ method, path }];
  return [{ method, setupRequest: (request) => ({ ...request, method, path: path() }) }];
}

/**
 * autocannon's clock ticks in whole seconds, so a run shorter than one second (smoke mode
 * only) becomes a fixed number of requests instead: 100 per 0.1 s asked, or what the
 * fixed rate would send in that time (it still lasts
 * about a second: autocannon ends on a tick).
 */
function budget(durationS: number, rate?: number): { duration: number } | { amount: number } {
  if (durationS >= 1) return { duration: durationS };
  return { amount: Math.max(20, Math.round(durationS * (rate ?? 1_000))) };
}

function summarize(result: autocannon.Result): LoadResult {
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    durationS: result.duration,
  };
}

const SKIPPED: LoadResult = { rps: 0, ok: 0, failed: 0, p50Ms: 0, p99Ms: 0, durationS: 0 };

/** Closed-loop load: `connections` requests in flight all the time, as fast as the server answers (throughput). */
export async function maxThroughput(baseUrl: string, options: LoadOptions): Promise<LoadResult> {
  if (options.durationS <= 0) return SKIPPED; // a warm-up the mode leaves out
  const instance = autocannon({
    url: baseUrl,
    connections: options.connections,
    ...budget(options.durationS),
    requests: requestsOf(options),
  });
  return summarize(await instance);
}

/**
 * Open-loop load at a fixed overall rate (autocannon's `overallRate`, latencies corrected
 * for coordinated omission): latency figures come from here, not from saturated runs.
 * `onSample` receives every response with its send time.
 */
export async function fixedRate(
  baseUrl: string,
  options: LoadOptions & { rate: number; onSample?: (sample: ResponseSample) => void },
): Promise<LoadResult> {
  if (options.durationS <= 0) return SKIPPED;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections: options.connections,
        ...budget(options.durationS, options.rate),
        overallRate: options.rate,
        requests: requestsOf(options),
      },
      (error, result) => (error ? reject(error as Error) : resolve(summarize(result))),
    );
    const onSample = options.onSample;
    if (onSample) {
      instance.on('response', (_client, status, _bytes, latencyMs) => {
        const now = Date.now();
        onSample({ sentAtMs: now - latencyMs, latencyMs, status });
      });
    }
  });
}

/** Exactly `total` requests, all sent at once on their own connections (a cold-key stampede). */
export async function burst(baseUrl: string, path: string, total: number): Promise<LoadResult> {
  const instance = autocannon({ url: baseUrl, connections: total, amount: total, requests: [{ method: 'GET', path }], timeout: 30 });
  return summarize(await instance);
}
