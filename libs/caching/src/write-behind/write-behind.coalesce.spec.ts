import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalesce } from './write-behind.coalesce.js';

const entries = <T>(...payloads: T[]) => payloads.map((payload, i) => ({ id: `1-${i}`, payload, deliveries: 1 }));

describe('coalesce', () => {
  it('sums deltas per key', () => {
    const batch = entries({ id: 7, delta: 2 }, { id: 9, delta: -1 }, { id: 7, delta: 3 });
    assert.deepEqual([...coalesce(batch, (p) => p.id, (sum, p) => sum + p.delta, 0)], [[7, 5], [9, -1]]);
  });

  it('folds in entry order, so "last write wins" folds work', () => {
    const batch = entries({ id: 'a', price: 1 }, { id: 'a', price: 3 }, { id: 'a', price: 2 });
    assert.deepEqual(coalesce(batch, (p) => p.id, (_, p) => p.price, 0).get('a'), 2);
  });

  it('starts each key from the initial value, even a falsy one', () => {
    assert.deepEqual([...coalesce(entries({ k: 1 }, { k: 2 }), (p) => p.k, (n) => n + 1, 0)], [[1, 1], [2, 1]]);
  });
});
