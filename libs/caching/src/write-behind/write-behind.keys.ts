import { CacheKeyBuilder } from '../keys/cache-key.builder.js';

const TOPIC = /^[a-z][a-z0-9-]{0,31}$/;

/** The Redis keys of one topic. Both carry the `{topic}` hash tag, so they share a Cluster slot (one MULTI can touch both). */
export interface WriteBehindKeys {
  /** `<prefix><service>:wb:{<topic>}` */
  stream: string;
  /** `<prefix><service>:wb:{<topic>}:dlq` */
  deadLetters: string;
}

export function writeBehindKeys(namespace: { keyPrefix: string; service: string }, topic: string): WriteBehindKeys {
  if (!TOPIC.test(topic)) throw new TypeError(`write-behind topic "${topic}" must match ${TOPIC}`);
  const keys = new CacheKeyBuilder(namespace.keyPrefix, namespace.service);
  return { stream: keys.tagged('wb', topic), deadLetters: keys.tagged('wb', topic, 'dlq') };
}

/** Milliseconds part of a stream entry id (`1700000000000-3`): when Redis appended it. */
export function entryTimeMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
