import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CacheKeyBuilder } from './cache-key.builder.js';
import { encodeKeyPart } from './key-part.encoder.js';

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom(':', '{', '}', '*', '?', '[', ']', '\\', ' ', '%', '~', '#', 'a', '1', 'é', '😀') }),
  fc.string({ minLength: 100, maxLength: 400 }),
);

describe('encodeKeyPart', () => {
  it('never lets a character through that means something to Redis keys or patterns', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        assert.match(encodeKeyPart(input), /^(?:[A-Za-z0-9_.%-]+|~[A-Za-z0-9_-]{43})$/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is injective: two different inputs never encode to the same part', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(encodeKeyPart(a), encodeKeyPart(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps plain ids readable and rejects numbers that are not safe integers', () => {
    assert.equal(encodeKeyPart(42), '42');
    assert.equal(encodeKeyPart('shoes'), 'shoes');
    assert.equal(encodeKeyPart('a:b {c}*'), 'a%3Ab%20%7Bc%7D%2A');
    assert.throws(() => encodeKeyPart(1.5), TypeError);
    assert.throws(() => encodeKeyPart(Number.NaN), TypeError);
  });
});

describe('CacheKeyBuilder', () => {
  const keys = new CacheKeyBuilder('cref:', 'users');

  it('puts the id in a hash tag so every field of one entity shares a slot', () => {
    assert.equal(keys.tagged('user', 42, 'profile'), 'cref:users:user:{42}:profile');
    assert.equal(keys.tagged('user', 42, 'orders'), 'cref:users:user:{42}:orders');
  });

  it('keeps hostile ids inside their namespace, their entity and their own hash tag', () => {
    fc.assert(
      fc.property(hostile, (id) => {
        const key = keys.tagged('user', id, 'profile');
        assert.ok(key.startsWith('cref:users:user:{'));
        assert.ok(key.endsWith('}:profile'));
        // exactly one hash tag, and it is the encoded id
        assert.equal(key.split('{').length, 2);
        assert.equal(key.split('}').length, 2);
        assert.equal(key.split(':').length, 5);
        assert.ok(!/[*?[\]\\]/.test(key));
      }),
      { numRuns: 2_000 },
    );
  });

  it('never lets two different inputs share a key', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 3 }), fc.array(hostile, { minLength: 1, maxLength: 3 }), (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        assert.notEqual(keys.key('search', ...a), keys.key('search', ...b));
      }),
      { numRuns: 1_000 },
    );
  });

  it('rejects entity and field names that are not plain words', () => {
    assert.throws(() => keys.key('user:*'), TypeError);
    assert.throws(() => keys.tagged('user', 1, 'pro{file}'), TypeError);
    assert.throws(() => new CacheKeyBuilder('a*:', 'users'), TypeError);
  });

  it('builds SCAN patterns confined to the namespace', () => {
    assert.equal(keys.pattern('user'), 'cref:users:user:*');
    assert.equal(keys.pattern(), 'cref:users:*');
  });
});
