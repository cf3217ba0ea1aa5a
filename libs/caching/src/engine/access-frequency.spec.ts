import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessFrequency, SAMPLE_EVERY } from './access-frequency.js';

describe('AccessFrequency', () => {
  it('counts every read of a key under adaptive TTL, and the previous window fades out over the current one', () => {
    let nowMs = 0;
    const frequency = new AccessFrequency(100, 60_000, () => nowMs);
    for (let i = 0; i < 60; i++) frequency.record('hot', true);
    assert.equal(frequency.perWindow('hot'), 60);
    nowMs = 60_000 + 15_000; // a quarter into the next window: three quarters of the last one still count
    frequency.record('hot', true);
    assert.equal(frequency.perWindow('hot'), 1 + 45);
    nowMs = 200_000; // two windows later: nothing is left
    assert.equal(frequency.perWindow('hot'), 0);
  });

  it('samples other reads at random, each sample counting for SAMPLE_EVERY reads, so the estimate is unbiased', () => {
    const frequency = new AccessFrequency();
    const reads = 40_000;
    for (let i = 0; i < reads; i++) frequency.record(i % 2 ? 'a' : 'b', false);
    for (const key of ['a', 'b']) {
      const estimate = frequency.perWindow(key);
      assert.equal(estimate % SAMPLE_EVERY, 0);
      // 20,000 reads sampled at 1/8: the standard deviation of the estimate is about 375; 5 of them is 1,900.
      assert.ok(Math.abs(estimate - reads / 2) < 1_900, `estimate ${estimate} for ${reads / 2} reads`);
    }
  });

  it('ranks the hottest keys, and stops tracking new keys at its bound', () => {
    const frequency = new AccessFrequency(3);
    for (const [key, reads] of [['x', 5], ['y', 9], ['z', 1]] as const) for (let i = 0; i < reads; i++) frequency.record(key, true);
    frequency.record('over-the-bound', true);
    assert.deepEqual(frequency.hottest(2), [{ key: 'y', reads: 9 }, { key: 'x', reads: 5 }]);
    assert.equal(frequency.perWindow('over-the-bound'), 0);
  });
});
