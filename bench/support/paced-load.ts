import { Agent, request } from 'node:http';
import type { ResponseSample } from './load.js';

export interface PacedResult {
  ok: number;
  failed: number;
  /** Requests that could not be sent on time because every socket was busy (the generator fell behind). */
  late: number;
}

/**
 * Open-loop load at evenly spaced instants: request i is due at start + i / rate, and its
 * latency is measured from that instant, not from when it went out, so a stalled server is
 * charged for the requests it delayed (no coordinated omission). autocannon's `overallRate`
 * spends each connection's budget at the start of every second and then idles, which is
 * fine for CPU per request but would hide or invent latency right after an expiry.
 */
export async function pacedLoad(
  baseUrl: string,
  options: { path: string; rate: number; durationS: number; onSample: (sample: ResponseSample) => void },
): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(options.rate * options.durationS);
  const intervalMs = 1_000 / options.rate;
  const startMs = Date.now() + 50;
  const result: PacedResult = { ok: 0, failed: 0, late: 0 };
  const inFlight = new Set<Promise<void>>();
  const url = new URL(options.path, baseUrl);
  for (let i = 0; i < total; i++) {
    const dueMs = startMs + i * intervalMs;
    const waitMs = dueMs - Date.now();
    if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
    else if (waitMs < -10) result.late++;
    const sent = new Promise<void>((resolve) => {
      const req = request(url, { agent, method: 'GET' }, (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) result.ok++;
          else result.failed++;
          options.onSample({ sentAtMs: dueMs, latencyMs: Date.now() - dueMs, status });
          resolve();
        });
      });
      req.on('error', () => {
        result.failed++;
        resolve();
      });
      req.end();
    });
    inFlight.add(sent);
    void sent.then(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return result;
}
