import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BatchOutcome, TickBatcher } from './tick.batcher.js';

/** A flush that records the batches it was given and doubles each item. */
function doubling(): { batches: number[][]; flush: (items: number[]) => Promise<BatchOutcome<number>[]> } {
  const batches: number[][] = [];
  return { batches, flush: async (items) => (batches.push(items), items.map((item): BatchOutcome<number> => [null, item * 2])) };
}

describe('TickBatcher', () => {
  it('hands what callers submit in one turn of the event loop to one flush, and answers each with its own result', async () => {
    const { batches, flush } = doubling();
    const batcher = new TickBatcher(flush);
    const results = await Promise.all([1, 2, 3].map((item) => batcher.submit(item)));
    assert.deepEqual(results, [2, 4, 6]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it('starts a new batch for what is submitted after the flush began', async () => {
    const { batches, flush } = doubling();
    const batcher = new TickBatcher(flush);
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await Promise.all([first, batcher.submit(2)]).then((r) => r.join()), '2,4');
    assert.deepEqual(batches, [[1], [2]]);
  });

  it('splits a turn into batches of maxBatch items at most', async () => {
    const { batches, flush } = doubling();
    const batcher = new TickBatcher(flush, 2);
    assert.deepEqual(await Promise.all([1, 2, 3, 4, 5].map((item) => batcher.submit(item))), [2, 4, 6, 8, 10]);
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  });

  it('rejects only the caller whose outcome is an error, and every caller of a batch whose flush throws', async () => {
    const picky = new TickBatcher<number, number>(async (items) => items.map((item): BatchOutcome<number> => (item < 0 ? [new Error(`bad ${item}`)] : [null, item])));
    const settled = await Promise.allSettled([picky.submit(1), picky.submit(-1)]);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected']);
    assert.match(String((settled[1] as PromiseRejectedResult).reason), /bad -1/);

    const down = new TickBatcher<number, number>(() => Promise.reject(new Error('connection is closed')));
    const all = await Promise.allSettled([down.submit(1), down.submit(2)]);
    assert.ok(all.every((s) => s.status === 'rejected' && /connection is closed/.test(String(s.reason))));
  });

  it('rejects a caller the flush left unanswered instead of leaving it waiting', async () => {
    const short = new TickBatcher<number, number>(async () => [[null, 1]]);
    const settled = await Promise.allSettled([short.submit(1), short.submit(2)]);
    assert.equal(settled[0].status, 'fulfilled');
    assert.match(String((settled[1] as PromiseRejectedResult).reason), /answered 1 of 2/);
  });

  it('refuses a batch size that is not a positive integer', () => {
    assert.throws(() => new TickBatcher(async () => [], 0), RangeError);
    assert.throws(() => new TickBatcher(async () => [], 1.5), RangeError);
  });
});
