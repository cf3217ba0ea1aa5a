import { Logger } from '@nestjs/common';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterStreamKey, eventStreamKey } from '../keys/event-stream.key.js';
import { closeRedisClient, duplicateForBlocking, type RedisClient } from '../redis/redis.client-factory.js';
import { type CacheEvent, decodeEntryFields } from './cache-event.envelope.js';
import {
  type CacheEventConsumerOptions,
  type CacheEventConsumerSettings,
  type CacheEventConsumerStats,
  type CacheEventHandler,
  DEFAULT_CONSUMER_SETTINGS,
} from './cache-event-consumer.options.js';
import type { InvalidationMetrics, InvalidationOutcome } from './invalidation.metrics.js';

type Entry = [id: string, fields: string[] | null];
type ReadReply = [stream: string, entries: Entry[]][] | null;

const MAX_BACKOFF_MS = 2_000;
const GROUP_CREATE_WAIT_MS = 2_000;
/** A blocking read that has not answered `blockMs` + this is on a dead connection. */
const READ_WATCHDOG_GRACE_MS = 5_000;

/**
 * Consumes one event stream in a consumer group, on its own blocking connection.
 *
 * Delivery is at least once and nothing is lost across faults: an entry is acknowledged
 * only after its handler succeeds (or it is dead-lettered), the group's last-delivered id
 * is the resume point, and after any connection error the consumer first re-reads its own
 * pending entries (ID `0`), since a read whose reply was lost still moved them there.
 * Entries left pending by a consumer that died are claimed with XAUTOCLAIM. A failing
 * handler is retried `maxAttempts` times, then the event goes to `<stream>:dead`, so one
 * bad event delays the stream by a few retries at most.
 *
 * @example
 * const consumer = new CacheEventConsumer(redis, 'cref:', {
 *   stream: 'users', group: 'dashboard',
 *   handlers: { 'user.updated': (e: CacheEvent<{ id: number }>) => engine.delete(keys.tagged('user', e.payload.id, 'profile')) },
 * });
 * await consumer.start();
 * // ...
 * await consumer.stop();
 */
export class CacheEventConsumer {
  readonly streamKey: string;
  readonly consumerName: string;
  private readonly settings: CacheEventConsumerSettings;
  private readonly logger: Logger;
  private blocking: RedisClient | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private lastErrorLoggedAt = 0;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    options: CacheEventConsumerOptions,
    private readonly metrics?: InvalidationMetrics,
  ) {
    this.settings = { ...DEFAULT_CONSUMER_SETTINGS, consumer: `${hostname()}-${process.pid}`, ...options } as CacheEventConsumerSettings;
    this.streamKey = eventStreamKey(keyPrefix, options.stream);
    this.consumerName = this.settings.consumer;
    this.logger = new Logger(`CacheEventConsumer ${options.stream}/${options.group}`);
  }

  /** Creates the group if needed and starts consuming in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.blocking = duplicateForBlocking(this.redis);
    this.blocking.on('error', () => undefined); // the loop logs failures once per burst
    // On the blocking connection, which queues until connected: the group exists before the first
    // read even when the app boots before Redis answers. Waits briefly, so a Redis outage never holds up boot.
    const created = this.ensureGroup(this.blocking).then(
      () => true,
      (error: Error) => {
        this.logBurst('cannot create the consumer group yet', error);
        return false;
      },
    );
    await Promise.race([created, sleep(GROUP_CREATE_WAIT_MS, false, { ref: false })]);
    this.loop = this.run();
  }

  /** Finishes the current read and batch (at most `blockMs` plus the handlers), then closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.loop) {
      const finished = await Promise.race([this.loop.then(() => true), sleep(this.settings.blockMs + 1_000, false)]);
      if (!finished) this.blocking?.disconnect(); // stuck on a dead connection: what it held stays pending
      await this.loop;
    }
    if (this.blocking) await closeRedisClient(this.blocking);
  }

  /** Pending (delivered, unacknowledged) and lag (not yet delivered) of this consumer's group. */
  async stats(): Promise<CacheEventConsumerStats> {
    const groups = (await this.redis.xinfo('GROUPS', this.streamKey)) as unknown[][];
    const group = groups.map(toRecord).find((g) => g.name === this.settings.group);
    if (!group) throw new Error(`consumer group ${this.settings.group} does not exist on ${this.streamKey}`);
    return {
      stream: this.settings.stream,
      group: this.settings.group,
      pending: Number(group.pending),
      lag: group.lag === null || group.lag === undefined ? null : Number(group.lag),
      lastDeliveredId: String(group['last-delivered-id']),
      consumers: Number(group.consumers),
    };
  }

  private async run(): Promise<void> {
    let recoverOwnPending = true;
    let nextClaimAt = 0;
    let backoffMs = 0;
    while (!this.stopping) {
      try {
        if (recoverOwnPending) {
          await this.processOwnPending();
          recoverOwnPending = false;
        }
        if (Date.now() >= nextClaimAt) {
          await this.claimOrphans();
          nextClaimAt = Date.now() + this.settings.claimIdleMs / 2;
        }
        await this.processEntries(await this.readNew(), () => 1);
        backoffMs = 0;
      } catch (error) {
        if (this.stopping) break;
        this.logBurst('reading the stream failed, retrying', error as Error);
        if ((error as Error).message.includes('NOGROUP')) await this.ensureGroup().catch(() => undefined);
        recoverOwnPending = true;
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), MAX_BACKOFF_MS);
        await sleep(backoffMs);
      }
    }
  }

  private async ensureGroup(redis: RedisClient = this.redis): Promise<void> {
    try {
      await redis.xgroup('CREATE', this.streamKey, this.settings.group, this.settings.startId, 'MKSTREAM');
    } catch (error) {
      if (!(error as Error).message.includes('BUSYGROUP')) throw error;
    }
  }

  private async readNew(): Promise<Entry[]> {
    const { group, batchSize, blockMs } = this.settings;
    const read = this.blocking!.xreadgroup(
      'GROUP', group, this.consumerName, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', this.streamKey, '>',
    ) as Promise<ReadReply>;
    const watchdog = new AbortController();
    const timedOut = sleep(blockMs + READ_WATCHDOG_GRACE_MS, 'timeout' as const, { signal: watchdog.signal }).catch(() => undefined);
    try {
      const reply = await Promise.race([read, timedOut]);
      if (reply === 'timeout') {
        this.blocking!.disconnect(true); // a half-open connection: reconnect; the entries it held stay pending for us
        throw new Error(`XREADGROUP did not answer within ${blockMs + READ_WATCHDOG_GRACE_MS} ms`);
      }
      return reply?.[0]?.[1] ?? [];
    } finally {
      watchdog.abort();
    }
  }

  /** Entries already delivered to this consumer name and never acknowledged (a restart, a lost reply). */
  private async processOwnPending(): Promise<void> {
    let cursor = '0';
    for (;;) {
      const reply = (await this.blocking!.xreadgroup(
        'GROUP', this.settings.group, this.consumerName, 'COUNT', this.settings.batchSize, 'STREAMS', this.streamKey, cursor,
      )) as ReadReply;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) return;
      const deliveries = await this.deliveryCounts(entries);
      await this.processEntries(entries, (id) => deliveries.get(id) ?? 1);
      cursor = entries.at(-1)![0];
    }
  }

  /** XAUTOCLAIM: entries idle for `claimIdleMs` on consumers that are presumably dead. */
  private async claimOrphans(): Promise<void> {
    const { group, claimIdleMs, batchSize } = this.settings;
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.blocking!.xautoclaim(
        this.streamKey, group, this.consumerName, claimIdleMs, cursor, 'COUNT', batchSize,
      )) as [string, Entry[], string[]];
      cursor = next;
      if (entries.length === 0) continue;
      this.logger.warn(`claimed ${entries.length} entries left pending by a dead consumer`);
      const deliveries = await this.deliveryCounts(entries);
      await this.processEntries(entries, (id) => deliveries.get(id) ?? 1);
    } while (cursor !== '0-0' && !this.stopping);
  }

  private async deliveryCounts(entries: Entry[]): Promise<Map<string, number>> {
    const rows = (await this.blocking!.xpending(
      this.streamKey, this.settings.group, entries[0][0], entries.at(-1)![0], 2 * this.settings.batchSize, this.consumerName,
    )) as [string, string, number, number][];
    return new Map(rows.map(([id, , , deliveries]) => [id, deliveries]));
  }

  private async processEntries(entries: Entry[], deliveriesOf: (id: string) => number): Promise<void> {
    for (const [entryId, fields] of entries) {
      if (fields === null) {
        await this.blocking!.xack(this.streamKey, this.settings.group, entryId); // trimmed away while pending
        continue;
      }
      await this.processEntry(entryId, fields, deliveriesOf(entryId));
    }
  }

  private async processEntry(entryId: string, fields: string[], deliveries: number): Promise<void> {
    let event: CacheEvent;
    try {
      event = decodeEntryFields(fields);
    } catch (error) {
      return this.deadLetter(entryId, fields, `malformed: ${(error as Error).message}`);
    }
    const handler = this.settings.handlers[event.type] as CacheEventHandler | undefined;
    if (!handler) {
      this.count('skipped');
      await this.blocking!.xack(this.streamKey, this.settings.group, entryId);
      return;
    }
    if (deliveries > this.settings.maxDeliveries) {
      return this.deadLetter(entryId, fields, `delivered ${deliveries} times (a consumer died handling it?)`);
    }
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt++) {
      try {
        await handler(event, { entryId, deliveries });
      } catch (error) {
        lastError = error as Error;
        this.count('failed_attempt');
        if (attempt < this.settings.maxAttempts) await sleep(this.settings.retryDelayMs * 2 ** (attempt - 1));
        continue;
      }
      // Counted before the XACK, so "acknowledged" always implies "counted". A failed XACK leaves the
      // entry pending: it is delivered again later, and handlers are idempotent (at-least-once).
      this.count('handled');
      await this.blocking!.xack(this.streamKey, this.settings.group, entryId);
      return;
    }
    return this.deadLetter(entryId, fields, `handler failed ${this.settings.maxAttempts} times: ${lastError?.message}`);
  }

  /** Moves an entry to `<stream>:dead` and acknowledges it, in one transaction (same slot by the hash tag). */
  private async deadLetter(entryId: string, fields: string[], reason: string): Promise<void> {
    this.logger.error(`dead-lettering entry ${entryId}: ${reason}`);
    const result = await this.blocking!
      .multi()
      .xadd(deadLetterStreamKey(this.streamKey), 'MAXLEN', '~', this.settings.deadLetterMaxLength, '*',
        ...fields, 'entryId', entryId, 'group', this.settings.group, 'reason', reason.slice(0, 1_000))
      .xack(this.streamKey, this.settings.group, entryId)
      .exec();
    const failed = result?.find(([error]) => error)?.[0];
    if (!result || failed) throw failed ?? new Error('dead-letter transaction aborted');
    this.count('dead_lettered');
  }

  private count(outcome: InvalidationOutcome): void {
    this.metrics?.events.inc({ source: 'stream', channel: this.settings.stream, outcome });
  }

  private logBurst(message: string, error: Error): void {
    if (Date.now() - this.lastErrorLoggedAt < 10_000) return;
    this.lastErrorLoggedAt = Date.now();
    this.logger.warn(`${message}: ${error.message}`);
  }
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}
