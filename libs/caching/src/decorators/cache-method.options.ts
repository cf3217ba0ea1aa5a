import type { GetOrSetOptions } from '../engine/get-or-set.options.js';
import type { CacheKeyBuilder } from '../keys/cache-key.builder.js';

/** What key and tag functions receive: the key builder, the method's arguments and (after it ran) its result. */
export interface CacheCallContext<Args extends unknown[] = unknown[], Result = unknown> {
  keys: CacheKeyBuilder;
  args: Args;
  result?: Result;
}

/** `@Cacheable`: cache-aside / read-through around a method. */
export interface CacheableOptions<Args extends unknown[] = unknown[]> extends GetOrSetOptions {
  key: (call: CacheCallContext<Args>) => string;
}

/** `@CachePut`: write-through: after the method resolves, its result becomes the cached value. */
export interface CachePutOptions<Args extends unknown[] = unknown[], Result = unknown> extends Pick<GetOrSetOptions, 'ttlMs' | 'jitter' | 'graceMs' | 'tags'> {
  key: (call: Required<CacheCallContext<Args, Result>>) => string;
}

/** `@CacheEvict`: after the method resolves, invalidate keys, tags and generations. */
export interface CacheEvictOptions<Args extends unknown[] = unknown[], Result = unknown> {
  keys?: (call: Required<CacheCallContext<Args, Result>>) => string[];
  tags?: (call: Required<CacheCallContext<Args, Result>>) => string[];
  generations?: string[];
}
