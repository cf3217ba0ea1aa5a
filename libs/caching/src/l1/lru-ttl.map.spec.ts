import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruTtlMap } from './lru-ttl.map.js';

describe('LruTtlMap', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const map = new LruTtlMap<number>(2);
    map.set('a', 1, 1_000, 0);
    map.set('b', 2, 1_000, 0);
    assert.equal(map.get('a', 1), 1); // a is now the most recent
    map.set('c', 3, 1_000, 1);
    assert.equal(map.get('b', 2), undefined);
    assert.equal(map.get('a', 2), 1);
    assert.equal(map.get('c', 2), 3);
    assert.equal(map.size, 2);
  });

  it('forgets an entry once its lifetime is over, and never keeps one with no lifetime', () => {
    const map = new LruTtlMap<string>(10);
    map.set('a', 'x', 100, 0);
    map.set('b', 'y', 0, 0);
    assert.equal(map.get('a', 99), 'x');
    assert.equal(map.get('a', 100), undefined);
    assert.equal(map.get('b', 0), undefined);
    assert.equal(map.size, 0);
  });
});
