import { type CacheKeyBuilder, encodeKeyPart } from '@app/caching';

/**
 * The catalog's Redis keys and tags, apart from the product details (`product:{42}:v`, named by
 * the read-through cache).
 *
 * Hash tags, for Redis Cluster: everything one view records carries `{views}` (the write-behind
 * stream of topic `views` is `…wb:{views}`), everything one stock change touches carries
 * `{stock}` (stream `…wb:{stock}`), so each is one MULTI or one Lua script in one slot.
 */
export const VIEWS_TOPIC = 'views';
export const STOCK_TOPIC = 'stock';

/** Read-through entity of the product details. */
export const PRODUCT_ENTITY = 'product';

/** Every list page of one category is registered under this tag. */
export const categoryTag = (category: string) => `category:${category}`;
/** Every unfiltered list page. */
export const ALL_PRODUCTS_TAG = 'products';

export const PRODUCT_LIST_ENTITY = 'product-list';

export const listPageKey = (keys: CacheKeyBuilder, category: string | undefined, page: number, limit: number) =>
  category === undefined ? keys.key(PRODUCT_LIST_ENTITY, 'all', page, limit) : keys.key(PRODUCT_LIST_ENTITY, 'category', category, page, limit);

/** `…trending:{views}:<yyyy-mm-dd>`: a sorted set of product ids scored by views that UTC day. */
export const trendingKey = (keys: CacheKeyBuilder, day: string) => `${keys.tagged('trending', VIEWS_TOPIC)}:${day}`;

/** `…view-counts:{views}`: a hash of live view counts per product id (counted in Redis, before the flush). */
export const viewCountsKey = (keys: CacheKeyBuilder) => keys.tagged('view-counts', VIEWS_TOPIC);

/** `…stock:{stock}`: a hash of the Redis-side stock per product id, the admission counter of every decrement. */
export const stockKey = (keys: CacheKeyBuilder) => keys.tagged('stock', STOCK_TOPIC);

/** `…stock-op:{stock}:<idempotency key>`: the outcome of one stock change, so a retry is applied once. */
export const stockOperationKey = (keys: CacheKeyBuilder, idempotencyKey: string) => `${keys.tagged('stock-op', STOCK_TOPIC)}:${encodeKeyPart(idempotencyKey)}`;
