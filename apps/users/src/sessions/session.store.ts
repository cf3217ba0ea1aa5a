import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { CacheEngine, REDIS_CLIENT, type RedisClient } from '@app/caching';
import { USERS_CACHE_CONFIG, type UsersCacheConfig } from '../users.config.js';

export interface Session {
  userId: number;
  createdAt: string;
}

/** A bearer token: 32 random bytes, base64url. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Sessions live in Redis only, with a sliding TTL: each use extends them (`GETEX ... PX`,
 * one command). Redis holds a hash of the token, never the token. Redis is the source of
 * truth here, so an outage is a 503, not a silent miss.
 */
@Injectable()
export class SessionStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly cache: CacheEngine,
    @Inject(USERS_CACHE_CONFIG) private readonly config: UsersCacheConfig,
  ) {}

  async create(userId: number): Promise<{ token: string; expiresInMs: number }> {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { userId, createdAt: new Date().toISOString() };
    const sessionKey = this.keyOf(token);
    await this.guard(async () => {
      await this.redis.set(sessionKey, JSON.stringify(session), 'PX', this.config.sessionTtlMs);
      await this.redis.sadd(this.userSessionsKey(userId), sessionKey);
      await this.redis.pexpire(this.userSessionsKey(userId), this.config.sessionTtlMs * 2);
    });
    return { token, expiresInMs: this.config.sessionTtlMs };
  }

  /** The session of a token, extending it; `undefined` when unknown or expired. */
  async touch(token: string): Promise<Session | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const raw = await this.guard(() => this.redis.getex(this.keyOf(token), 'PX', this.config.sessionTtlMs));
    return raw ? (JSON.parse(raw) as Session) : undefined;
  }

  async destroy(token: string): Promise<void> {
    await this.guard(() => this.redis.del(this.keyOf(token)));
  }

  /** Ends every session of a user (on delete). */
  async destroyAll(userId: number): Promise<void> {
    await this.guard(async () => {
      const keys = await this.redis.smembers(this.userSessionsKey(userId));
      await Promise.all([...keys.map((key) => this.redis.del(key)), this.redis.del(this.userSessionsKey(userId))]);
    });
  }

  private keyOf(token: string): string {
    return this.cache.keys.key('session', createHash('sha256').update(token).digest('base64url'));
  }

  private userSessionsKey(userId: number): string {
    return this.cache.keys.tagged('user', userId, 'sessions');
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch {
      throw new ServiceUnavailableException('session store unavailable, try again shortly');
    }
  }
}
