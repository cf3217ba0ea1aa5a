/** What a test usually asserts about an HTTP answer. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else `undefined`. */
  json: unknown;
  /** From sending the request to having the whole body. */
  elapsedMs: number;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  /** Abort (and reject) after this long; a hung route fails the test instead of stalling it. */
  timeoutMs?: number;
}

/**
 * One HTTP request with `fetch`, body read in full.
 *
 * @example
 * const { status, json, elapsedMs } = await httpRequest(`${service.url}/users/1`);
 */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResult> {
  const headers = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const startedAt = performance.now();
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
  const text = await response.text();
  const elapsedMs = performance.now() - startedAt;
  let json: unknown;
  if (response.headers.get('content-type')?.includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, text, json, elapsedMs };
}
