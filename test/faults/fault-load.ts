import { setTimeout as sleep } from 'node:timers/promises';

/** One request of a load run. `status` 0: no HTTP answer (a network error or the client timeout). */
export interface Sample {
  /** When it was sent, ms since the run began. */
  sentAtMs: number;
  status: number;
  elapsedMs: number;
  xCache: string | null;
}

export interface LoadOptions {
  /** Requests started per second, whether earlier ones answered or not (open loop: a hung service shows as latency). */
  rps: number;
  durationMs: number;
  /** The request to send; `i` counts from 0 across the run. */
  send(i: number): Promise<Response>;
}

/**
 * Sends `rps` requests a second for `durationMs`, reading each body in full, and returns one
 * sample per request once all have answered (or failed).
 */
export async function constantRate(options: LoadOptions): Promise<Sample[]> {
  const startedAt = performance.now();
  const total = Math.round((options.rps * options.durationMs) / 1_000);
  const inFlight: Promise<Sample>[] = [];
  for (let i = 0; i < total; i++) {
    const dueAt = startedAt + (i * 1_000) / options.rps;
    const wait = dueAt - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(one(options, i, startedAt));
  }
  return Promise.all(inFlight);
}

async function one(options: LoadOptions, i: number, runStartedAt: number): Promise<Sample> {
  const sentAt = performance.now();
  try {
    const response = await options.send(i);
    await response.arrayBuffer();
    return { sentAtMs: sentAt - runStartedAt, status: response.status, elapsedMs: performance.now() - sentAt, xCache: response.headers.get('x-cache') };
  } catch {
    return { sentAtMs: sentAt - runStartedAt, status: 0, elapsedMs: performance.now() - sentAt, xCache: null };
  }
}

/** The `p`-th percentile (0-100) of `values`, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Share of samples served from the cache (`X-Cache: HIT` or `STALE`). */
export function hitRatio(samples: Sample[]): number {
  if (samples.length === 0) return 0;
  return samples.filter((s) => s.xCache === 'HIT' || s.xCache === 'STALE').length / samples.length;
}

/** A one-line summary for logs and assertion messages. */
export function describeSamples(samples: Sample[]): string {
  const byStatus = new Map<number, number>();
  for (const s of samples) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
  const latencies = samples.map((s) => s.elapsedMs);
  return (
    `${samples.length} requests, statuses ${JSON.stringify(Object.fromEntries(byStatus))}, ` +
    `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
    `max ${Math.max(...latencies).toFixed(1)} ms, hit ratio ${(hitRatio(samples) * 100).toFixed(1)} %`
  );
}

/** Samples sent within [fromMs, toMs) of the run. */
export function between(samples: Sample[], fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.sentAtMs >= fromMs && s.sentAtMs < toMs);
}
