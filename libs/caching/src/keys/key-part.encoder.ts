import { createHash } from 'node:crypto';

/** What may go into a key segment: a string (encoded), or a number / bigint (must be an integer). */
export type KeyPart = string | number | bigint;

const MAX_ENCODED_LENGTH = 120;
// Bytes kept as they are. Everything else, `%` and `~` included, is %XX-encoded, so an encoded
// part never holds `:` (segment), `{` `}` (hash tag), `*` `?` `[` `]` `\` (SCAN patterns),
// spaces or `#` (the library's own suffixes), and two different inputs never encode alike.
const SAFE = /[A-Za-z0-9_.-]/;

/**
 * Encodes one piece of user input for a key segment. Injective: different inputs give
 * different outputs. Long inputs become `~` + a SHA-256 digest (`~` never appears otherwise).
 *
 * @example encodeKeyPart('a:b {c}') // 'a%3Ab%20%7Bc%7D'
 */
export function encodeKeyPart(part: KeyPart): string {
  if (typeof part === 'number') {
    if (!Number.isSafeInteger(part)) throw new TypeError(`key parts must be safe integers, got ${part}`);
    return String(part);
  }
  if (typeof part === 'bigint') return part.toString();
  let encoded = '';
  for (const byte of Buffer.from(part, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += byte < 0x80 && SAFE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length === 0) return '%';
  if (encoded.length > MAX_ENCODED_LENGTH) {
    return `~${createHash('sha256').update(part, 'utf8').digest('base64url')}`;
  }
  return encoded;
}
