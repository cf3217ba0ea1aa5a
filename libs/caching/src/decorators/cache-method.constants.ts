export const CACHEABLE = 'caching:cacheable';
export const CACHE_PUT = 'caching:cache-put';
export const CACHE_EVICT = 'caching:cache-evict';
