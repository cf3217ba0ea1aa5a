import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE_COUNTS, MIN_PRODUCTS, parseSeedScale, seedCounts, SeedScaleError } from './seed.scale.js';

describe('parseSeedScale', () => {
  it('defaults to 1 when SEED_SCALE is unset or blank', () => {
    assert.equal(parseSeedScale(undefined), 1);
    assert.equal(parseSeedScale('  '), 1);
  });

  it('reads positive decimals, including exponents', () => {
    assert.equal(parseSeedScale('0.01'), 0.01);
    assert.equal(parseSeedScale('2'), 2);
    assert.equal(parseSeedScale('.5'), 0.5);
    assert.equal(parseSeedScale('1e-3'), 0.001);
  });

  for (const raw of ['0', '-1', 'abc', '1,5', '0x10', 'Infinity', 'NaN', '1 2', '1e999']) {
    it(`rejects "${raw}" with a message naming SEED_SCALE and the value`, () => {
      assert.throws(
        () => parseSeedScale(raw),
        (error: unknown) => error instanceof SeedScaleError && error.message.includes('SEED_SCALE') && error.message.includes(`"${raw}"`),
      );
    });
  }
});

describe('seedCounts', () => {
  it('is the base volume at scale 1', () => {
    assert.deepEqual(seedCounts(1), { ...BASE_COUNTS });
  });

  it('multiplies every count by the scale', () => {
    assert.deepEqual(seedCounts(0.01), { users: 1_000, products: 100, orders: 10_000 });
  });

  it('never goes below one user, one order and enough products for a three-item order', () => {
    assert.deepEqual(seedCounts(1e-9), { users: 1, products: MIN_PRODUCTS, orders: 1 });
  });

  it('refuses a scale that is not positive', () => {
    assert.throws(() => seedCounts(0), SeedScaleError);
    assert.throws(() => seedCounts(Number.NaN), SeedScaleError);
  });
});
