import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEntry, encodeEntryBody, generationOf } from './cache-entry.codec.js';

const times = { freshUntilMs: 2_000, staleUntilMs: 3_000, computeMs: 12 };

describe('cache entry codec', () => {
  it('round-trips a value with its generation and times', () => {
    const raw = `7|${encodeEntryBody({ kind: 'value', generation: 7, value: { id: 1, name: 'Ada' }, ...times })}`;
    assert.deepEqual(decodeEntry(raw), { kind: 'value', generation: 7, value: { id: 1, name: 'Ada' }, ...times });
  });

  it('keeps null and falsy values as values, distinct from a negative entry', () => {
    for (const value of [null, 0, '', false]) {
      const raw = `0|${encodeEntryBody({ kind: 'value', generation: 0, value, ...times })}`;
      assert.deepEqual(decodeEntry(raw), { kind: 'value', generation: 0, value, ...times });
    }
    const absent = decodeEntry(`3|${encodeEntryBody({ kind: 'absent', generation: 3, ...times })}`);
    assert.equal(absent?.kind, 'absent');
  });

  it('brings back serialized-function strings and __proto__ keys as plain data, polluting nothing', () => {
    const hostile = '{"v":{"__proto__":{"polluted":true},"fn":"_function_x|return process"},"f":1,"s":2}';
    const entry = decodeEntry<Record<string, unknown>>(`1|${hostile}`);
    assert.equal(entry?.kind, 'value');
    const value = (entry as { value: Record<string, unknown> }).value;
    assert.equal(value.fn, '_function_x|return process');
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('treats corrupt or foreign bytes as a miss', () => {
    for (const raw of ['', 'garbage', '|{}', 'x|{}', '1|{not json', '1|[1,2]', '1|null', '1|{"v":1}', '99999999999999999999|{}', '\u0000\u0001']) {
      assert.equal(decodeEntry(raw), undefined, raw);
    }
  });

  it('reads the generation of corrupt bytes as Lua does, so a fill can overwrite them', () => {
    assert.equal(generationOf('7|{"v":{"id":'), 7);
    assert.equal(generationOf('3|[1,2,3]'), 3);
    assert.equal(generationOf('garbage'), 0);
    assert.equal(generationOf('x7|{}'), 0);
  });

  it('reads a tombstone as the generation only', () => {
    assert.deepEqual(decodeEntry('12|{"x":1}'), { kind: 'tombstone', generation: 12 });
  });
});
