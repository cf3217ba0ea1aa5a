import { encodeKeyPart, type KeyPart } from './key-part.encoder.js';

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) throw new TypeError(`${kind} "${name}" must match ${NAME}`);
  return name;
}

/**
 * Builds every key the project writes: `<prefix><service>:<entity>:<parts...>`.
 * Entity and field names come from code (checked); ids and other user input are encoded.
 *
 * @example
 * const keys = new CacheKeyBuilder('cref:', 'users');
 * keys.tagged('user', 42, 'profile') // 'cref:users:user:{42}:profile'
 * keys.key('search', 'shoes & socks') // 'cref:users:search:shoes%20%26%20socks'
 */
export class CacheKeyBuilder {
  /** `<prefix><service>:`, the namespace every key of this builder starts with. */
  readonly namespace: string;

  constructor(prefix: string, service: string) {
    if (!/^[A-Za-z0-9_.-]{1,32}:$/.test(prefix)) throw new TypeError(`key prefix "${prefix}" is not a word and a colon`);
    this.namespace = `${prefix}${checkName('service', service)}:`;
  }

  /** A plain key: `<ns><entity>:<part>:<part>`. */
  key(entity: string, ...parts: KeyPart[]): string {
    return [this.namespace + checkName('entity', entity), ...parts.map(encodeKeyPart)].join(':');
  }

  /**
   * A key whose Redis Cluster hash slot is decided by `id` alone, so every key of one
   * entity instance (`user:{42}:profile`, `user:{42}:orders`) lives in one slot and can
   * be read together in one command.
   */
  tagged(entity: string, id: KeyPart, ...fields: string[]): string {
    return [
      `${this.namespace}${checkName('entity', entity)}:{${encodeKeyPart(id)}}`,
      ...fields.map((field) => checkName('field', field)),
    ].join(':');
  }

  /** A SCAN pattern matching every key of one entity (or the whole namespace); never used with KEYS. */
  pattern(entity?: string): string {
    return entity ? `${this.namespace}${checkName('entity', entity)}:*` : `${this.namespace}*`;
  }
}
