/** Injection token of the one shared ioredis client (`Redis` or `Cluster`). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
