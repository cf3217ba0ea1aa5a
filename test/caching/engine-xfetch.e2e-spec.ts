import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { GetOrSetOptions, ReadOutcome } from '@app/caching';
import { createEngineHarness, type EngineHarness } from './engine-harness.js';

/** Steady load on one hot key for `durationMs`: 4 concurrent loops, each reading back to back. */
async function steadyLoad(h: EngineHarness, key: string, factory: () => Promise<number>, options: GetOrSetOptions, durationMs: number) {
  const reads: { outcome: ReadOutcome; atMs: number }[] = [];
  const deadline = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < deadline) {
        const { outcome } = await h.engine.fetch(key, factory, options);
        reads.push({ outcome, atMs: performance.now() });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  return reads;
}

/** Times the cache answered with an expired value: stale reads grouped by `gapMs` of quiet. */
function expiryEpisodes(reads: { outcome: ReadOutcome; atMs: number }[], gapMs: number): number {
  let episodes = 0;
  let lastStaleAtMs = -Infinity;
  for (const { outcome, atMs } of reads) {
    if (outcome !== 'stale' && outcome !== 'miss') continue;
    if (atMs - lastStaleAtMs > gapMs) episodes++;
    lastStaleAtMs = atMs;
  }
  return episodes;
}

describe('XFetch probabilistic early recompute under steady load', () => {
  let h: EngineHarness;
  let db: pg.Client;
  before(async () => {
    h = await createEngineHarness();
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await h.close();
  });

  // XFetch starts about computeMs × beta × ln(reads per window) before expiry: the TTL must be
  // long next to the factory for that gap to be a small share of it, as in real use.
  const ttlMs = 1_500;
  const durationMs = 4_500;
  const recompute = (counter: { calls: number }) => async () => {
    counter.calls++;
    const { rows } = await db.query('SELECT count(*)::int AS n FROM generate_series(1, 300000)');
    return rows[0].n as number;
  };

  // Both runs keep a grace period as the safety net (as real deployments do), so a refresh that
  // lands late on a loaded machine is a STALE answer, not a miss. What tells them apart: XFetch
  // refreshes before expiry, so its readers almost never meet an expired value.
  it('refreshes a hot key before it expires: after warm-up no miss and no expired read, about one recompute per TTL', async () => {
    const counter = { calls: 0 };
    const key = h.engine.keys.key('hot', 'xfetch');
    const options = { ttlMs, graceMs: ttlMs, xfetchBeta: 1 };
    await h.engine.getOrSet(key, recompute(counter), options);
    const reads = await steadyLoad(h, key, recompute(counter), options, durationMs);
    assert.ok(reads.length > 200, `only ${reads.length} reads`);
    assert.equal(reads.filter((r) => r.outcome === 'miss').length, 0, 'no reader waited on a recompute');
    // one late refresh on a loaded machine is tolerated; without XFetch there is one per TTL window
    const episodes = expiryEpisodes(reads, ttlMs / 3);
    assert.ok(episodes <= 1, `the value expired under load ${episodes} times`);
    const windows = durationMs / ttlMs;
    assert.ok(counter.calls >= windows - 1, `${counter.calls} recomputes: the key was refreshed`);
    assert.ok(counter.calls <= windows * 1.5 + 1, `${counter.calls} recomputes for ${windows} TTL windows`);
  });

  it('without XFetch the same load meets an expired value at every expiry (the control)', async () => {
    const counter = { calls: 0 };
    const key = h.engine.keys.key('hot', 'plain');
    const options = { ttlMs, graceMs: ttlMs };
    await h.engine.getOrSet(key, recompute(counter), options);
    const reads = await steadyLoad(h, key, recompute(counter), options, durationMs);
    assert.ok(expiryEpisodes(reads, ttlMs / 3) >= durationMs / ttlMs - 1);
  });
});
