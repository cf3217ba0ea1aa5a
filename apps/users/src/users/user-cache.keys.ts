import type { CacheKeyBuilder } from '@app/caching';

/** The generation every list page is keyed under; any write to users bumps it. */
export const USER_LIST_GENERATION = 'user-list';

/** `…user:{42}:profile`: hash-tagged, so it shares a Redis Cluster slot with the user's other keys. */
export const profileKey = (keys: CacheKeyBuilder, id: number) => keys.tagged('user', id, 'profile');

/** `…user:{42}:orders`: order figures, kept current by the order-event consumer. */
export const orderStatsKey = (keys: CacheKeyBuilder, id: number) => keys.tagged('user', id, 'orders');

/** Tag of everything cached about one user outside its hash tag (for example its `/me` response). */
export const userTag = (id: number) => `user:${id}`;

export const listPageKey = (keys: CacheKeyBuilder, generation: number, page: number, limit: number) =>
  keys.key('user-list', `v${generation}`, page, limit);
