import { randomBytes } from 'node:crypto';

/**
 * A key prefix of this test file's own, inside the run's (`t1234ab:` → `t1234ab.9f3e:`), so
 * files running in parallel never share keys, and the runner's cleanup (`t1234ab*`) still
 * removes them all.
 */
export function fileKeyPrefix(): string {
  const run = (process.env.CACHE_PREFIX ?? 'tlocal:').slice(0, -1);
  return `${run}.${randomBytes(3).toString('hex')}:`;
}
