import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { GetOrSetOptions, ReadOutcome } from '@app/caching';
import { createEngineHarness, type EngineHarness } from './engine-harness.js';

/** Steady load on one hot key for `durationMs`: 4 concurrent loops, each reading back to back. */
async function steadyLoad(h: EngineHarness, key: string, factory: () => Promise<number>, options: GetOrSetOptions, durationMs: number) {
  const outcomes: ReadOutcome[] = [];
  const deadline = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < deadline) {
        outcomes.push((await h.engine.fetch(key, factory, options)).outcome);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  return outcomes;
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

  it('refreshes a hot key before it expires: after warm-up no caller meets a miss, about one recompute per TTL', async () => {
    const counter = { calls: 0 };
    const key = h.engine.keys.key('hot', 'xfetch');
    await h.engine.getOrSet(key, recompute(counter), { ttlMs, xfetchBeta: 1 });
    const outcomes = await steadyLoad(h, key, recompute(counter), { ttlMs, xfetchBeta: 1 }, durationMs);
    assert.ok(outcomes.length > 200, `only ${outcomes.length} reads`);
    assert.equal(outcomes.filter((o) => o !== 'hit').length, 0, 'every read after warm-up was a hit');
    const windows = durationMs / ttlMs;
    assert.ok(counter.calls >= windows - 1, `${counter.calls} recomputes: the key was refreshed`);
    assert.ok(counter.calls <= windows * 1.5 + 1, `${counter.calls} recomputes for ${windows} TTL windows`);
  });

  it('without XFetch the same load meets a miss at every expiry (the control)', async () => {
    const counter = { calls: 0 };
    const key = h.engine.keys.key('hot', 'plain');
    const shortTtlMs = 500;
    await h.engine.getOrSet(key, recompute(counter), { ttlMs: shortTtlMs });
    const outcomes = await steadyLoad(h, key, recompute(counter), { ttlMs: shortTtlMs }, 2_000);
    assert.ok(outcomes.filter((o) => o === 'miss').length >= 2_000 / shortTtlMs - 1);
  });
});
