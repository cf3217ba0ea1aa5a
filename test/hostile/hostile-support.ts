import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ServiceProcess } from '../support/service-process.js';

export const unique = () => randomBytes(4).toString('hex');

/** A client to the run's Redis (the shared one); the caller disconnects it. */
export function sharedRedis(): Redis {
  return new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
}

/** Every key under `prefix`, with SCAN (never KEYS). */
export async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export interface TestUser {
  id: number;
  name: string;
  email: string;
  token: string;
}

/** A user created through `POST /users`, logged in through `POST /sessions`. */
export async function userWithSession(users: ServiceProcess, name: string): Promise<TestUser> {
  const email = `${name.toLowerCase().replace(/[^a-z]/g, '') || 'u'}-${unique()}@example.com`;
  const created = await users.request('/users', { method: 'POST', body: { name, email } });
  assert.equal(created.status, 201, created.text);
  const session = await users.request('/sessions', { method: 'POST', body: { email } });
  assert.equal(session.status, 201, session.text);
  return { ...(created.json as { id: number; name: string }), email, token: (session.json as { token: string }).token };
}
