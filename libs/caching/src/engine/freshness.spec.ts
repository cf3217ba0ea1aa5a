import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshnessOf, jitteredTtlMs, shouldRefreshEarly } from './freshness.js';

describe('jitteredTtlMs', () => {
  it('stays within [ttl * (1 - jitter), ttl] and spreads values', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      const ttl = jitteredTtlMs(10_000, 0.2);
      assert.ok(ttl >= 8_000 && ttl <= 10_000, String(ttl));
      seen.add(ttl);
    }
    assert.ok(seen.size > 100);
    assert.equal(jitteredTtlMs(10_000, 0), 10_000);
  });
});

describe('shouldRefreshEarly (XFetch)', () => {
  it('never fires with beta 0, and always fires once expiry has passed', () => {
    assert.equal(shouldRefreshEarly(1_000, 50, 0, 999), false);
    assert.equal(shouldRefreshEarly(1_000, 50, 1, 1_000, () => 0), true);
  });

  it('fires more often near expiry and for slower factories', () => {
    const rate = (nowMs: number, computeMs: number) => {
      let fired = 0;
      for (let i = 0; i < 10_000; i++) if (shouldRefreshEarly(10_000, computeMs, 1, nowMs)) fired++;
      return fired / 10_000;
    };
    assert.ok(rate(0, 100) < 0.001);
    assert.ok(rate(9_900, 100) > 0.3 && rate(9_900, 100) < 0.45); // e^-1 ≈ 0.37
    assert.ok(rate(9_900, 1_000) > 0.85); // e^-0.1 ≈ 0.90
  });
});

describe('freshnessOf', () => {
  const entry = { kind: 'value' as const, generation: 0, value: 1, freshUntilMs: 1_000, staleUntilMs: 2_000, computeMs: 0 };
  it('classifies by fresh and stale deadlines', () => {
    assert.equal(freshnessOf(entry, 500, 0), 'fresh');
    assert.equal(freshnessOf(entry, 1_500, 0), 'stale');
    assert.equal(freshnessOf(entry, 2_000, 0), 'unusable');
    assert.equal(freshnessOf(undefined, 0, 0), 'unusable');
    assert.equal(freshnessOf({ kind: 'tombstone', generation: 3 }, 0, 0), 'unusable');
  });
});
