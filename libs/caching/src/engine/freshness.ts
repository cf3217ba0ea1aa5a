import type { CacheEntry } from '../serialization/cache-entry.codec.js';

export type Freshness = 'fresh' | 'refresh-early' | 'stale' | 'unusable';

/** `ttlMs` shortened by a random share of up to `jitter` (0..1). */
export function jitteredTtlMs(ttlMs: number, jitter = 0, random = Math.random): number {
  const share = Math.min(Math.max(jitter, 0), 1);
  return Math.max(1, Math.round(ttlMs * (1 - share * random())));
}

/**
 * XFetch: true when a fresh entry should be recomputed now. The gap before expiry in which
 * that becomes likely is `computeMs * beta * -ln(rand)`: slow factories start earlier.
 */
export function shouldRefreshEarly(freshUntilMs: number, computeMs: number, beta: number, nowMs: number, random = Math.random): boolean {
  if (beta <= 0) return false;
  return nowMs - Math.max(computeMs, 1) * beta * Math.log(1 - random()) >= freshUntilMs;
}

export function freshnessOf(entry: CacheEntry | undefined, nowMs: number, beta: number, random = Math.random): Freshness {
  if (!entry || entry.kind === 'tombstone') return 'unusable';
  if (nowMs < entry.freshUntilMs) {
    return shouldRefreshEarly(entry.freshUntilMs, entry.computeMs, beta, nowMs, random) ? 'refresh-early' : 'fresh';
  }
  return nowMs < entry.staleUntilMs ? 'stale' : 'unusable';
}
