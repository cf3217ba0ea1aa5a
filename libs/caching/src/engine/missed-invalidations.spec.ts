import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MissedInvalidations } from './missed-invalidations.js';

const names = (missed: MissedInvalidations) => missed.list().map(({ kind, name }) => `${kind} ${name}`);

describe('MissedInvalidations', () => {
  it('keeps each invalidation once, oldest first', () => {
    const missed = new MissedInvalidations(10);
    assert.deepEqual(missed.add('key', 'a'), { added: true, dropped: undefined });
    assert.deepEqual(missed.add('tag', 'a'), { added: true, dropped: undefined });
    assert.deepEqual(missed.add('key', 'a'), { added: false });
    missed.add('generation', 'list');
    assert.equal(missed.size, 3);
    assert.deepEqual(names(missed), ['key a', 'tag a', 'generation list']);
  });

  it('settles a replayed invalidation, unless it was missed again while its replay was on the wire', () => {
    const missed = new MissedInvalidations(10);
    missed.add('key', 'a');
    missed.add('key', 'b');
    const [a, b] = missed.list();
    missed.add('key', 'b'); // a write of b failed again meanwhile
    missed.settle(a);
    missed.settle(b);
    assert.deepEqual(names(missed), ['key b']);
    missed.settle(missed.list()[0]);
    assert.equal(missed.size, 0);
  });

  it('covers the reads a pending invalidation could contradict: its key, every key while a tag is pending, its generation', () => {
    const missed = new MissedInvalidations(10);
    assert.equal(missed.coversKey('a'), false);
    missed.add('key', 'a');
    missed.add('generation', 'list');
    assert.deepEqual([missed.coversKey('a'), missed.coversKey('b')], [true, false]);
    assert.deepEqual([missed.coversGeneration('list'), missed.coversGeneration('other')], [true, false]);
    missed.add('tag', 't');
    assert.equal(missed.coversKey('b'), true, 'a tag names keys nobody can list while Redis is away');
    missed.settle(missed.list()[2]);
    assert.equal(missed.coversKey('b'), false);
    missed.add('tag', 't');
    missed.clear();
    assert.deepEqual([missed.coversKey('a'), missed.coversKey('b'), missed.coversGeneration('list')], [false, false, false]);
  });

  it('past its capacity drops the oldest and says which', () => {
    const missed = new MissedInvalidations(2);
    missed.add('tag', 'first');
    missed.add('key', 'second');
    assert.equal(missed.coversKey('any'), true);
    assert.deepEqual(missed.add('key', 'third'), { added: true, dropped: { kind: 'tag', name: 'first', misses: 1 } });
    assert.equal(missed.coversKey('any'), false, 'the dropped tag no longer counts');
    assert.deepEqual(missed.add('key', 'second'), { added: false });
    assert.deepEqual(names(missed), ['key second', 'key third']);
    missed.clear();
    assert.equal(missed.size, 0);
  });
});
