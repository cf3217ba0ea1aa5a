const STREAM_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The Redis key of an event stream shared between services: `<prefix>events:{<name>}`.
 * Deliberately outside any service's namespace (`<prefix><service>:`), because one service
 * publishes and others consume. The name is a hash tag, so the stream and its dead-letter
 * stream share a Redis Cluster slot.
 *
 * @example eventStreamKey('cref:', 'users') // 'cref:events:{users}'
 */
export function eventStreamKey(prefix: string, name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,32}:$/.test(prefix)) throw new TypeError(`key prefix "${prefix}" is not a word and a colon`);
  if (!STREAM_NAME.test(name)) throw new TypeError(`stream name "${name}" must match ${STREAM_NAME}`);
  return `${prefix}events:{${name}}`;
}

/** Where events that failed every attempt go: `<stream key>:dead`. */
export function deadLetterStreamKey(streamKey: string): string {
  return `${streamKey}:dead`;
}
