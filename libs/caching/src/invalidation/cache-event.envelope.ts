import { randomUUID } from 'node:crypto';

/**
 * What travels on an event stream. `id` identifies the event (for idempotent handlers and
 * logs); the Redis stream entry id is separate and only says where it sits in the stream.
 *
 * @example { type: 'user.updated', id: '9b1d…', occurredAt: '2026-11-20T10:00:00.000Z', payload: { id: 42 } }
 */
export interface CacheEvent<TPayload = unknown> {
  type: string;
  id: string;
  /** ISO-8601 time of the change (not of the publish). */
  occurredAt: string;
  payload: TPayload;
}

/** What a publisher hands over; `id` and `occurredAt` are filled in when absent. */
export type CacheEventInput<TPayload = unknown> = Pick<CacheEvent<TPayload>, 'type' | 'payload'> &
  Partial<Pick<CacheEvent<TPayload>, 'id' | 'occurredAt'>>;

/** The one field of a stream entry; the value is the JSON envelope. */
export const EVENT_FIELD = 'event';

export function toEnvelope<T>(input: CacheEventInput<T>): CacheEvent<T> {
  return { type: input.type, id: input.id ?? randomUUID(), occurredAt: input.occurredAt ?? new Date().toISOString(), payload: input.payload };
}

/** Parses an entry's fields (`[name, value, name, value, ...]`); throws on anything that is not an envelope. */
export function decodeEntryFields(fields: string[]): CacheEvent {
  const index = fields.indexOf(EVENT_FIELD);
  if (index === -1 || index % 2 !== 0) throw new SyntaxError(`entry has no "${EVENT_FIELD}" field`);
  const event = JSON.parse(fields[index + 1]) as Partial<CacheEvent>;
  if (typeof event?.type !== 'string' || typeof event.id !== 'string' || typeof event.occurredAt !== 'string' || !('payload' in event)) {
    throw new SyntaxError('entry is not a cache event envelope');
  }
  return event as CacheEvent;
}
