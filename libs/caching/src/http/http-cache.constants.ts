/** Metadata key of {@link HttpCache}; method metadata overrides class metadata. */
export const HTTP_CACHE_OPTIONS = 'caching:http-cache-options';

import type { ReadOutcome } from '../engine/get-or-set.options.js';

export const X_CACHE_HEADER = 'X-Cache';

/** The `X-Cache` value of each read outcome. */
export const X_CACHE_VALUE: Record<ReadOutcome, string> = { hit: 'HIT', miss: 'MISS', stale: 'STALE', bypass: 'BYPASS' };

/** Metadata key of {@link ServeCacheRead}. */
export const CACHE_READ_OPTIONS = 'caching:cache-read-options';
