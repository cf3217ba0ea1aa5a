import type { ClientConfig } from 'pg';

/** One changed row (or a TRUNCATE), as the trigger from `cdcTriggerSql` reports it. */
export interface TableChange<TValues = Record<string, unknown>> {
  /** The changelog row id. */
  changeId: number;
  /** `schema.table`. */
  table: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';
  /** Primary key of the row; absent for TRUNCATE. */
  id?: number | string;
  /** Values of the trigger's `columns` before (UPDATE, DELETE) and after (INSERT, UPDATE). */
  old?: TValues;
  new?: TValues;
}

/** Reacts to one change (typically `engine.delete` / `engine.invalidateTags`). Must be idempotent. */
export type TableChangeHandler<TValues = Record<string, unknown>> = (change: TableChange<TValues>) => unknown;

export interface PgChangeListenerOptions {
  /** Connection of the listener's own client (not a pool's): a URL or `pg` settings. */
  connection: string | ClientConfig;
  channel: string;
  /** `schema.table` of the changelog the trigger writes. */
  changelog: string;
  handle: TableChangeHandler<never>;
  reconnectMinDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** How often the listener re-reads the changelog while connected; also its heartbeat. */
  resyncIntervalMs?: number;
  /** A listener query (heartbeat, resync, prune) that takes longer drops the connection. */
  queryTimeoutMs?: number;
  /** Handler attempts per change before it is logged and skipped. */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Changelog rows older than this are deleted (every `pruneIntervalMs`). */
  retentionMs?: number;
  pruneIntervalMs?: number;
  /**
   * Called on reconnect when the listener was away longer than `retentionMs`, so changes may
   * have been pruned before it could read them: invalidate broadly here (bump a generation).
   */
  onResyncGap?: () => unknown;
}

export type PgChangeListenerSettings = Required<Omit<PgChangeListenerOptions, 'onResyncGap'>> & Pick<PgChangeListenerOptions, 'onResyncGap'>;

export const DEFAULT_LISTENER_SETTINGS = {
  reconnectMinDelayMs: 100,
  reconnectMaxDelayMs: 5_000,
  resyncIntervalMs: 30_000,
  queryTimeoutMs: 5_000,
  maxAttempts: 3,
  retryDelayMs: 100,
  retentionMs: 24 * 60 * 60_000,
  pruneIntervalMs: 10 * 60_000,
} satisfies Partial<PgChangeListenerSettings>;
