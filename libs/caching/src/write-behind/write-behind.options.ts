import { hostname } from 'node:os';
import { isTransientDatabaseError } from './write-behind.transient.js';

/** How one topic's consumer reads, batches, retries and reports. Times are milliseconds. */
export interface WriteBehindConsumerOptions {
  /** Consumer group shared by every process that flushes this topic. */
  group: string;
  /** This process in the group. Keep it stable across restarts (a pod name) to resume its own pending entries at once. */
  consumerName: string;
  /** Most entries flushed in one transaction. */
  batchSize: number;
  /** How long one XREADGROUP waits for new entries. Bounds how long shutdown waits for an in-flight read. */
  blockMs: number;
  /** Longest a read entry waits for its batch to fill before it is flushed anyway. */
  flushIntervalMs: number;
  /** An entry unacknowledged this long belongs to a dead (or stuck) consumer and is claimed. Longer than any flush. */
  claimIdleMs: number;
  /** How often abandoned entries are claimed and the gauges refreshed. */
  claimIntervalMs: number;
  /** An entry delivered more often than this without an acknowledgement is dead-lettered. */
  maxDeliveries: number;
  /** First and largest pause between retries of a batch that failed transiently (database down). */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Longest shutdown waits for the in-flight read and flush before closing the connection. */
  drainTimeoutMs: number;
  /** `schema.table` with columns `(stream, entry_id)` and a primary key on both: the ids already applied. */
  appliedEntriesTable: string;
  /** Health turns down above this many delivered-but-unacknowledged entries... */
  maxHealthyPending: number;
  /** ... or when the oldest unflushed entry (pending or not yet delivered) is older than this. */
  maxHealthyLagMs: number;
  /** Errors worth retrying in place (not the entry's fault); the rest count toward dead-lettering. */
  isTransient: (error: unknown) => boolean;
}

export const WRITE_BEHIND_DEFAULTS: Omit<WriteBehindConsumerOptions, 'appliedEntriesTable'> = {
  group: 'write-behind',
  consumerName: `${hostname()}:${process.pid}`,
  batchSize: 200,
  blockMs: 2_000,
  flushIntervalMs: 250,
  claimIdleMs: 30_000,
  claimIntervalMs: 5_000,
  maxDeliveries: 5,
  retryDelayMs: 100,
  maxRetryDelayMs: 5_000,
  drainTimeoutMs: 10_000,
  maxHealthyPending: 10_000,
  maxHealthyLagMs: 60_000,
  isTransient: isTransientDatabaseError,
};

const TABLE = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;
const POSITIVE = ['batchSize', 'blockMs', 'claimIdleMs', 'claimIntervalMs', 'maxDeliveries', 'retryDelayMs', 'maxRetryDelayMs', 'drainTimeoutMs'] as const;

/** Fills defaults and rejects nonsense at start-up with one clear message. */
export function resolveConsumerOptions(
  options: Partial<WriteBehindConsumerOptions> & Pick<WriteBehindConsumerOptions, 'appliedEntriesTable'>,
): WriteBehindConsumerOptions {
  const resolved = { ...WRITE_BEHIND_DEFAULTS, ...options };
  for (const name of POSITIVE) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) throw new TypeError(`write-behind ${name} must be a positive integer, got ${resolved[name]}`);
  }
  if (!Number.isInteger(resolved.flushIntervalMs) || resolved.flushIntervalMs < 0) {
    throw new TypeError(`write-behind flushIntervalMs must be an integer >= 0, got ${resolved.flushIntervalMs}`);
  }
  if (!TABLE.test(resolved.appliedEntriesTable)) {
    throw new TypeError(`write-behind appliedEntriesTable "${resolved.appliedEntriesTable}" must be [schema.]table in lower case`);
  }
  return resolved;
}
