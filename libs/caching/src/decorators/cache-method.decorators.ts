import { SetMetadata } from '@nestjs/common';
import { CACHE_EVICT, CACHE_PUT, CACHEABLE } from './cache-method.constants.js';
import type { CacheableOptions, CacheEvictOptions, CachePutOptions } from './cache-method.options.js';

/**
 * Caches a provider method's result (cache-aside): concurrent calls with the same key run
 * the method once. `null` results are cached only with `negativeTtlMs`.
 *
 * @example
 * @Cacheable({ key: ({ keys, args: [id] }) => keys.tagged('user', id, 'profile'), ttlMs: 20 * 60_000, jitter: 0.1 })
 * findOne(id: number): Promise<UserDto | null> {}
 */
export const Cacheable = <Args extends unknown[]>(options: CacheableOptions<Args>) => SetMetadata(CACHEABLE, options);

/**
 * Write-through: after the method resolves (e.g. after its transaction committed), stores its
 * result under the key, bumping the key's generation so no older in-flight fill can win.
 *
 * @example
 * @CachePut({ key: ({ keys, result }) => keys.tagged('user', result.id, 'profile'), ttlMs: 20 * 60_000 })
 * update(id: number, dto: UpdateUserDto): Promise<UserDto> {}
 */
export const CachePut = <Args extends unknown[], Result>(options: CachePutOptions<Args, Result>) => SetMetadata(CACHE_PUT, options);

/**
 * Invalidation after the method resolves: keys, tags and generations.
 *
 * @example
 * @CacheEvict({ keys: ({ keys, args: [id] }) => [keys.tagged('user', id, 'profile')], generations: ['user-list'] })
 * remove(id: number): Promise<void> {}
 */
export const CacheEvict = <Args extends unknown[], Result>(options: CacheEvictOptions<Args, Result>) => SetMetadata(CACHE_EVICT, options);
