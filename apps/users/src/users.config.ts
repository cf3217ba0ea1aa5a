import { registerAs } from '@nestjs/config';
import { readIntegerEnv } from '@app/platform';

/** Cache lifetimes of the users service (ms), following data volatility as the seeds advise. */
export interface UsersCacheConfig {
  /** Profiles: 15-30 min (ttl 30 min with 50 % jitter). */
  profileTtlMs: number;
  profileJitter: number;
  /** "No such user", remembered briefly so a flood of bad ids reaches the database once. */
  notFoundTtlMs: number;
  /** List pages, under a generation bumped by every write. */
  listTtlMs: number;
  /** Sessions slide: every authenticated request extends them by this much. */
  sessionTtlMs: number;
}

export const USERS_CACHE_CONFIG = 'users-cache';

export const usersCacheConfig = registerAs(
  USERS_CACHE_CONFIG,
  (): UsersCacheConfig => ({
    profileTtlMs: readIntegerEnv(process.env, 'PROFILE_TTL_MS', 30 * 60_000, 1_000, 24 * 3_600_000),
    profileJitter: 0.5,
    notFoundTtlMs: readIntegerEnv(process.env, 'NOT_FOUND_TTL_MS', 30_000, 100, 3_600_000),
    listTtlMs: readIntegerEnv(process.env, 'USER_LIST_TTL_MS', 5 * 60_000, 1_000, 24 * 3_600_000),
    sessionTtlMs: readIntegerEnv(process.env, 'SESSION_TTL_MS', 30 * 60_000, 60_000, 24 * 3_600_000),
  }),
);
