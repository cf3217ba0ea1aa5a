import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { qualifiedName } from './cdc.migration-sql.js';
import type { InvalidationMetrics, InvalidationOutcome } from './invalidation.metrics.js';
import {
  DEFAULT_LISTENER_SETTINGS,
  type PgChangeListenerOptions,
  type PgChangeListenerSettings,
  type TableChange,
  type TableChangeHandler,
} from './pg-change.listener.options.js';

const PAGE_ROWS = 500;

/**
 * Postgres CDC for cache invalidation: LISTENs on a channel fed by the triggers of
 * `cdcTriggerSql`, on one dedicated connection, and calls `handle` for every change.
 *
 * NOTIFYs sent while the listener is disconnected are lost, so it also reads the changelog
 * the same triggers write. Why a changelog with transaction ids, and not "rows after the
 * last id seen": ids are taken at INSERT but become visible at COMMIT, so a long
 * transaction can commit id 10 after id 11 was seen, and "id > 11" would skip it forever.
 * Instead the listener keeps a Postgres snapshot (`pg_current_snapshot()`) of the last time
 * it was complete; a resync reads every changelog row whose transaction is not visible in
 * that snapshot (`pg_visible_in_snapshot`), in one REPEATABLE READ transaction, then moves
 * the snapshot forward. LISTEN is issued before the snapshot is taken, so every commit is
 * either in the resync or notified (sometimes both: changes are de-duplicated by id, and
 * handlers must be idempotent anyway). A resync runs on every (re)connect and every
 * `resyncIntervalMs`, which also serves as heartbeat. The alternative, bumping a whole
 * namespace's generation on reconnect, is simpler but throws away the cache on every blip.
 *
 * A fresh process starts from "now": changes made while no listener ran at all are bounded
 * by the cache TTLs. Rows older than `retentionMs` are pruned.
 *
 * @example
 * const listener = new PgChangeListener({
 *   connection: databaseUrl, channel: 'catalog_products', changelog: 'catalog.cache_invalidations',
 *   handle: (c: TableChange<{ category: string }>) => engine.delete(keys.tagged('product', c.id!, 'detail')),
 * });
 * await listener.start();
 */
export class PgChangeListener {
  private readonly settings: PgChangeListenerSettings;
  private readonly changelog: string;
  private readonly logger: Logger;
  private client: pg.Client | undefined;
  /** Snapshot in which every visible change has been handled. */
  private handledThrough: string | undefined;
  private lastSyncedAt = 0;
  /** Changes handled that `handledThrough` does not cover yet, and when. */
  private readonly seen = new Map<number, number>();
  /** Serializes handlers, resyncs and prunes on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private stopped = false;
  private dropConnection: (() => void) | undefined;
  private readonly stopping = new AbortController();

  constructor(
    options: PgChangeListenerOptions,
    private readonly metrics?: InvalidationMetrics,
  ) {
    this.settings = { ...DEFAULT_LISTENER_SETTINGS, ...options };
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) throw new TypeError(`channel "${options.channel}" is not a plain identifier`);
    this.changelog = qualifiedName('changelog', options.changelog).join('.');
    this.logger = new Logger(`PgChangeListener ${options.channel}`);
  }

  /** True while connected and listening. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Connects and listens; resolves after the first attempt, and keeps reconnecting in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((resolve) => (firstAttempt = resolve));
    this.loop = this.run(firstAttempt);
    await attempted;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.dropConnection?.();
    await this.loop;
  }

  /** Deletes this channel's changelog rows older than `olderThanMs`; returns how many. */
  prune(olderThanMs = this.settings.retentionMs): Promise<number> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('the listener is not connected'));
    return this.enqueue(async () => {
      let deleted = 0;
      for (;;) {
        const { rowCount } = await client.query(
          `DELETE FROM ${this.changelog} WHERE id IN (
             SELECT id FROM ${this.changelog}
             WHERE channel = $1 AND created_at < now() - make_interval(secs => $2::double precision / 1000)
             LIMIT 5000)`,
          [this.settings.channel, olderThanMs],
        );
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < 5_000) return deleted;
      }
    });
  }

  private async run(firstAttempt: () => void): Promise<void> {
    let delayMs = this.settings.reconnectMinDelayMs;
    while (!this.stopped) {
      const client = new pg.Client({
        ...(typeof this.settings.connection === 'string' ? { connectionString: this.settings.connection } : this.settings.connection),
        query_timeout: this.settings.queryTimeoutMs,
        connectionTimeoutMillis: this.settings.queryTimeoutMs,
        keepAlive: true,
        application_name: `cache-cdc:${this.settings.channel}`,
      });
      const timers: NodeJS.Timeout[] = [];
      try {
        const closed = new Promise<void>((resolve) => {
          this.dropConnection = resolve;
          client.once('end', resolve);
          client.on('error', () => resolve());
        });
        await client.connect();
        client.on('notification', (message) => {
          if (message.channel === this.settings.channel) void this.enqueue(() => this.onNotification(client, message.payload));
        });
        await client.query(`LISTEN ${this.settings.channel}`);
        await this.enqueue(() => this.resync(client));
        this.client = client;
        delayMs = this.settings.reconnectMinDelayMs;
        firstAttempt();
        const onTimerError = (what: string) => (error: Error) => {
          this.logger.warn(`${what} failed, reconnecting: ${error.message}`);
          this.dropConnection?.();
        };
        timers.push(setInterval(() => void this.enqueue(() => this.resync(client)).catch(onTimerError('resync')), this.settings.resyncIntervalMs));
        timers.push(setInterval(() => void this.prune().catch(onTimerError('prune')), this.settings.pruneIntervalMs));
        if (!this.stopped) await closed;
        if (!this.stopped) this.logger.warn('connection lost, reconnecting');
      } catch (error) {
        this.logger.warn(`cannot listen (retrying in ${delayMs} ms): ${(error as Error).message}`);
      } finally {
        timers.forEach(clearInterval);
        this.client = undefined;
        this.dropConnection = undefined;
        client.removeAllListeners('notification');
        void client.end().catch(() => undefined);
        firstAttempt();
      }
      if (this.stopped) break;
      await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      delayMs = Math.min(delayMs * 2, this.settings.reconnectMaxDelayMs);
    }
    await this.queue.catch(() => undefined);
  }

  /** Handles every change committed since `handledThrough`, then moves it to now. */
  private async resync(client: pg.Client): Promise<void> {
    if (this.handledThrough === undefined) {
      const { rows } = await client.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot');
      this.handledThrough = rows[0].snapshot;
      this.lastSyncedAt = Date.now();
      return;
    }
    if (Date.now() - this.lastSyncedAt > this.settings.retentionMs) {
      this.logger.warn('away longer than the changelog retention: some changes may be lost');
      await this.settings.onResyncGap?.();
    }
    const startedAt = Date.now();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const { rows } = await client.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot');
      const returned: number[] = [];
      for (let afterId = 0; ; ) {
        const page = await client.query<{ id: string; payload: Omit<TableChange, 'changeId'> }>(
          `SELECT id, payload FROM ${this.changelog}
           WHERE channel = $1 AND txid >= pg_snapshot_xmin($2::pg_snapshot)
             AND NOT pg_visible_in_snapshot(txid, $2::pg_snapshot) AND id > $3
           ORDER BY id LIMIT ${PAGE_ROWS}`,
          [this.settings.channel, this.handledThrough, afterId],
        );
        for (const row of page.rows) {
          const changeId = Number(row.id);
          returned.push(changeId);
          if (!this.seen.has(changeId)) await this.dispatch({ ...row.payload, changeId }, 'resync');
        }
        if (page.rows.length < PAGE_ROWS) break;
        afterId = returned.at(-1)!;
      }
      await client.query('COMMIT');
      this.handledThrough = rows[0].snapshot;
      this.lastSyncedAt = startedAt;
      for (const id of returned) this.seen.delete(id);
      // A notification racing a resync can leave an id here that no resync will return again.
      for (const [id, at] of this.seen) if (at < startedAt - 2 * this.settings.resyncIntervalMs) this.seen.delete(id);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async onNotification(client: pg.Client, payload: string | undefined): Promise<void> {
    let change: TableChange & { truncated?: boolean };
    try {
      change = JSON.parse(payload ?? '') as TableChange;
      if (!Number.isSafeInteger(change.changeId)) throw new SyntaxError('no changeId');
    } catch (error) {
      this.logger.error(`ignoring a malformed notification: ${(error as Error).message}`);
      return this.count('skipped');
    }
    if (this.seen.has(change.changeId)) return;
    if (change.truncated) {
      const { rows } = await client.query<{ payload: TableChange }>(`SELECT payload FROM ${this.changelog} WHERE id = $1`, [change.changeId]);
      if (rows[0]) change = { ...rows[0].payload, changeId: change.changeId };
    }
    await this.dispatch(change, 'notify');
  }

  /** Calls the handler with bounded retries; a change that keeps failing is logged and skipped. */
  private async dispatch(change: TableChange, via: 'notify' | 'resync'): Promise<void> {
    this.seen.set(change.changeId, Date.now());
    const handle = this.settings.handle as TableChangeHandler;
    for (let attempt = 1; ; attempt++) {
      try {
        await handle(change);
        return this.count('handled');
      } catch (error) {
        this.count('failed_attempt');
        if (attempt >= this.settings.maxAttempts) {
          this.logger.error(`giving up on change ${change.changeId} (${via}) after ${attempt} attempts: ${(error as Error).message}`);
          return this.count('dead_lettered');
        }
        await sleep(this.settings.retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private count(outcome: InvalidationOutcome): void {
    this.metrics?.events.inc({ source: 'cdc', channel: this.settings.channel, outcome });
  }
}
