/** Metadata key of {@link HttpCache}; method metadata overrides class metadata. */
export const HTTP_CACHE_OPTIONS = 'caching:http-cache-options';

export const X_CACHE_HEADER = 'X-Cache';

/** Metadata key of {@link ServeCacheRead}. */
export const CACHE_READ_OPTIONS = 'caching:cache-read-options';
