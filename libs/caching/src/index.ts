export { REDIS_CLIENT } from './caching.constants.js';
export { CachingModule } from './caching.module.js';
export { CACHING_OPTIONS } from './caching.module-definition.js';
export type { CachingModuleOptions, RedisNodeAddress } from './caching.options.js';
export { RedisHealthIndicator } from './health/redis.health.js';
export { CacheMetrics, type CacheOutcome } from './metrics/cache.metrics.js';
export { closeRedisClient, createRedisClient, duplicateForBlocking, type RedisClient } from './redis/redis.client-factory.js';
export { CacheEngine, type SetOptions } from './engine/cache-engine.service.js';
export { CacheFactoryTimeoutError } from './engine/cache.errors.js';
export type {
  CacheEngineSettings,
  CacheFactory,
  CacheRead,
  FactoryContext,
  GetOrSetOptions,
  ReadOutcome,
} from './engine/get-or-set.options.js';
export { CacheKeyBuilder } from './keys/cache-key.builder.js';
export { encodeKeyPart, type KeyPart } from './keys/key-part.encoder.js';
