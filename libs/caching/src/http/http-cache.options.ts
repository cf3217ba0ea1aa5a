import type { GetOrSetOptions } from '../engine/get-or-set.options.js';

/** A request as both Express and Fastify hand it to Nest: only what the cache reads. */
export interface CacheableRequest {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  user?: { id?: string | number };
}

/** Route options of {@link HttpCache}. Durations in milliseconds, `maxAgeSec` in seconds (as HTTP has it). */
export interface HttpCacheOptions extends Pick<GetOrSetOptions, 'ttlMs' | 'jitter' | 'graceMs' | 'xfetchBeta' | 'lock'> {
  /**
   * Per-user response: keyed by the user (`request.user.id`, set by your auth guard) and sent
   * with `Cache-Control: private`. Without it, a request carrying credentials is not cached.
   */
  private?: boolean;
  /** Query parameters that change the response; only these enter the key. */
  query?: string[];
  /** `reject`: an undeclared query parameter is a 400 instead of being ignored. */
  unknownQuery?: 'ignore' | 'reject';
  /** `Cache-Control: max-age` for browsers and CDNs; 0 (default) makes them revalidate with the ETag. */
  maxAgeSec?: number;
  /** Tags for group invalidation, from the request. */
  tags?: (request: CacheableRequest) => string[];
}

/** What the interceptor stores for a response: the serialized body and its ETag. */
export interface CachedResponse {
  body: string;
  etag: string;
}
