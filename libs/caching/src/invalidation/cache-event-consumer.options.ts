import type { CacheEvent } from './cache-event.envelope.js';

/** Where an event is in its life: its stream entry id and how many times it has been delivered. */
export interface CacheEventContext {
  entryId: string;
  deliveries: number;
}

/** Handles one event type. Must be idempotent: delivery is at least once. Throwing means "retry". */
export type CacheEventHandler<TPayload = unknown> = (event: CacheEvent<TPayload>, context: CacheEventContext) => unknown;

export interface CacheEventConsumerOptions {
  /** Stream name (`users` for `<prefix>events:{users}`). */
  stream: string;
  /** Consumer group: one per consuming service (`dashboard`); its instances share the work. */
  group: string;
  /**
   * This instance's name in the group; default `<hostname>-<pid>`. A stable name (a pod name)
   * lets a restarted instance finish its own pending entries at once; otherwise another
   * instance claims them after `claimIdleMs`.
   */
  consumer?: string;
  /** A handler per event type; other types are acknowledged and skipped. */
  handlers: Record<string, CacheEventHandler<never>>;
  /** Where a new group starts: `$` (only events published from now on) or `0` (the whole stream). */
  startId?: '$' | '0';
  batchSize?: number;
  /** How long one XREADGROUP waits for new entries; also the longest a graceful stop waits for it. */
  blockMs?: number;
  /** Handler attempts per delivery before the event is dead-lettered. */
  maxAttempts?: number;
  /** Pause before the second attempt, doubled for each further one. */
  retryDelayMs?: number;
  /** Deliveries (counting those to consumers that died) before an event is dead-lettered unhandled. */
  maxDeliveries?: number;
  /** An entry pending this long on another consumer is presumed orphaned and claimed (XAUTOCLAIM). */
  claimIdleMs?: number;
  /** Entries kept in the dead-letter stream (`MAXLEN ~`). */
  deadLetterMaxLength?: number;
}

export type CacheEventConsumerSettings = Required<CacheEventConsumerOptions>;

export const DEFAULT_CONSUMER_SETTINGS = {
  startId: '$',
  batchSize: 50,
  blockMs: 2_000,
  maxAttempts: 3,
  retryDelayMs: 100,
  maxDeliveries: 5,
  claimIdleMs: 30_000,
  deadLetterMaxLength: 10_000,
} satisfies Partial<CacheEventConsumerSettings>;

/** What a consumer group looks like from Redis (`XINFO GROUPS`). */
export interface CacheEventConsumerStats {
  stream: string;
  group: string;
  /** Delivered, not yet acknowledged. */
  pending: number;
  /** Not yet delivered to the group; `null` when Redis cannot tell (after trimming or XDEL). */
  lag: number | null;
  lastDeliveredId: string;
  consumers: number;
}
