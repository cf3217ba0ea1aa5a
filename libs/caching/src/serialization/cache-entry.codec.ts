/**
 * One cached entry as stored in Redis: `<generation>|<json>`.
 *
 * The generation prefix is the stale-set guard (the "lease" of Scaling Memcache at Facebook):
 * every invalidation and every authoritative write bumps it, and a fill may only write if the
 * generation is still the one it read before calling the factory. Lua reads it with one
 * `string.match`, without decoding the value.
 */
export type CacheEntry<T = unknown> =
  | {
      kind: 'value';
      generation: number;
      value: T;
      /** Epoch ms until which the value is fresh; after it, stale within grace. */
      freshUntilMs: number;
      /** Epoch ms after which the value may no longer be served at all (fresh + grace). */
      staleUntilMs: number;
      /** How long the factory took (ms): XFetch's delta. */
      computeMs: number;
    }
  | { kind: 'absent'; generation: number; freshUntilMs: number; staleUntilMs: number; computeMs: number }
  | { kind: 'tombstone'; generation: number };

interface StoredBody {
  v?: unknown;
  f?: number;
  s?: number;
  d?: number;
  /** 1: the source said "not found" (negative caching). */
  n?: 1;
  /** 1: invalidated; nothing to serve, only the generation matters. */
  x?: 1;
}

/** Serializes the body of an entry; the generation prefix is added by the caller or by Lua. */
export function encodeEntryBody(entry: Exclude<CacheEntry, { kind: 'tombstone' }>): string {
  const body: StoredBody =
    entry.kind === 'value'
      ? { v: entry.value, f: entry.freshUntilMs, s: entry.staleUntilMs, d: entry.computeMs }
      : { n: 1, f: entry.freshUntilMs, s: entry.staleUntilMs, d: entry.computeMs };
  return JSON.stringify(body);
}

export const TOMBSTONE_BODY = '{"x":1}';

/**
 * Reads a stored entry. JSON only, no revivers: whatever the bytes say (`_function_…`
 * strings, `__proto__` keys) comes back as plain data. Anything malformed is `undefined`,
 * which callers treat as a miss and overwrite.
 */
export function decodeEntry<T>(raw: string | null | undefined): CacheEntry<T> | undefined {
  if (!raw) return undefined;
  const bar = raw.indexOf('|');
  if (bar < 1 || bar > 15) return undefined;
  const generation = Number(raw.slice(0, bar));
  if (!Number.isSafeInteger(generation) || generation < 0) return undefined;
  let body: StoredBody;
  try {
    body = JSON.parse(raw.slice(bar + 1)) as StoredBody;
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  if (body.x === 1) return { kind: 'tombstone', generation };
  const { f: freshUntilMs, s: staleUntilMs } = body;
  if (typeof freshUntilMs !== 'number' || typeof staleUntilMs !== 'number') return undefined;
  const computeMs = typeof body.d === 'number' ? body.d : 0;
  if (body.n === 1) return { kind: 'absent', generation, freshUntilMs, staleUntilMs, computeMs };
  if (!Object.hasOwn(body, 'v')) return undefined;
  return { kind: 'value', value: body.v as T, generation, freshUntilMs, staleUntilMs, computeMs };
}

/**
 * The generation Lua reads from any stored bytes (`^(%d+)|`, else 0), also for an entry
 * {@link decodeEntry} rejects: a fill must write against it, or a corrupt value with a
 * generation prefix would never be overwritten.
 */
export function generationOf(raw: string): number {
  const match = /^(\d+)\|/.exec(raw);
  return match ? Number(match[1]) : 0;
}
