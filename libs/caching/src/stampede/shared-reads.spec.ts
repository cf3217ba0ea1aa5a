import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedReads } from './shared-reads.js';

describe('SharedReads', () => {
  it('gives every caller of a key the same slot, and another key another slot', () => {
    const reads = new SharedReads<number>();
    const slot = reads.slot('a');
    slot.read = Promise.resolve(1);
    assert.equal(reads.slot('a'), slot);
    assert.notEqual(reads.slot('b'), slot);
    assert.equal(reads.slot('b').read, undefined);
  });

  it('starts over when full, and a read in flight keeps its own slot (only the sharing is lost)', async () => {
    const reads = new SharedReads<number>(2);
    const first = reads.slot('a');
    first.read = Promise.resolve(1);
    reads.slot('b');
    const after = reads.slot('c'); // the table was full: it starts over
    assert.equal(after.read, undefined);
    const fresh = reads.slot('a');
    assert.notEqual(fresh, first);
    assert.equal(fresh.read, undefined);
    assert.equal(await first.read, 1);
  });
});
