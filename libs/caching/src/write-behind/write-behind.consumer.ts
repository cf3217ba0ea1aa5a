import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { CachingModuleOptions } from '../caching.options.js';
import type { CacheMetrics } from '../metrics/cache.metrics.js';
import { closeRedisClient, duplicateForBlocking, type RedisClient } from '../redis/redis.client-factory.js';
import type { WriteBehindEntry, WriteBehindFlusher, WriteBehindStats } from './write-behind.interfaces.js';
import { writeBehindKeys, type WriteBehindKeys } from './write-behind.keys.js';
import { AppliedEntriesLedger } from './write-behind.ledger.js';
import { WriteBehindMetrics } from './write-behind.metrics.js';
import { resolveConsumerOptions, type WriteBehindConsumerOptions } from './write-behind.options.js';
import { type StreamEntry, WriteBehindStream } from './write-behind.stream.js';

export interface WriteBehindConsumerConfig<T> {
  topic: string;
  /** The shared client (acks, claims, dead letters, stats); the consumer duplicates it for its blocking reads. */
  redis: RedisClient;
  namespace: Pick<CachingModuleOptions, 'keyPrefix' | 'service'>;
  dataSource: DataSource;
  flusher: WriteBehindFlusher<T>;
  metrics: CacheMetrics;
  options: Partial<WriteBehindConsumerOptions> & Pick<WriteBehindConsumerOptions, 'appliedEntriesTable'>;
  /** Start on application bootstrap (default true); false for producer-only processes. */
  autoStart?: boolean;
}

type Attempt = { outcome: 'committed' } | { outcome: 'failed'; error: unknown } | { outcome: 'abandoned' };

const LOG_BURST_MS = 10_000;

/**
 * Flushes one topic's stream to the database in batches: one transaction per batch that
 * also records the entry ids (so a redelivery never applies twice), XACK after COMMIT,
 * XAUTOCLAIM of a dead consumer's entries, a dead-letter stream for poison entries, and
 * a drain on shutdown. Each consumer reads on its own blocking connection.
 *
 * @example
 * const consumer = new WriteBehindConsumer({
 *   topic: 'views', redis, namespace: { keyPrefix: 'cref:', service: 'catalog' }, dataSource,
 *   flusher: new ProductViewsFlusher(), metrics,
 *   options: { appliedEntriesTable: 'catalog.applied_stream_batches', batchSize: 500 },
 * });
 * await consumer.start();
 * await consumer.stats(); // { topic: 'views', length: 12, pending: 0, lagMs: 0, ... }
 * await consumer.stop();  // flushes what it read, acknowledges, closes its connection
 */
export class WriteBehindConsumer<T = unknown> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly topic: string;
  readonly keys: WriteBehindKeys;
  readonly options: WriteBehindConsumerOptions;
  private readonly logger: Logger;
  private readonly stream: WriteBehindStream;
  private readonly ledger: AppliedEntriesLedger;
  private readonly metrics: WriteBehindMetrics;
  private blocking: RedisClient | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** Interrupts idle pauses when stopping. */
  private readonly stopSignal = new AbortController();
  /** Interrupts retries too, once the drain has run out of time. */
  private readonly abandonSignal = new AbortController();
  private nextMaintenanceAtMs = 0;
  /** The last batch read was full: the consumer is behind, catching up on a backlog. */
  private lastBatchWasFull = false;
  private lastFlushAt: Date | null = null;
  private lastWarnedAtMs = 0;
  /** XACKs sent after a COMMIT and not answered yet: the next flush does not wait for them; stopping does. */
  private readonly acking = new Set<Promise<void>>();

  constructor(private readonly config: WriteBehindConsumerConfig<T>) {
    this.topic = config.topic;
    this.keys = writeBehindKeys(config.namespace, config.topic);
    this.options = resolveConsumerOptions(config.options);
    this.logger = new Logger(`WriteBehind:${config.topic}`);
    this.stream = new WriteBehindStream(config.redis, this.keys, this.options.group, this.options.consumerName);
    this.ledger = new AppliedEntriesLedger(this.options.appliedEntriesTable, this.keys.stream);
    this.metrics = WriteBehindMetrics.of(config.metrics.registry);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.autoStart !== false) await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Checks the ledger table (throws if it is missing), then consumes in the background until {@link stop}. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.ledger.check((sql) => this.config.dataSource.query(sql));
    this.blocking = duplicateForBlocking(this.config.redis);
    this.blocking.on('error', () => undefined); // the shared client already reports outages
    this.running = this.run();
  }

  /**
   * Graceful stop: no new reads; what was read is flushed and acknowledged (retrying a
   * transient failure for up to `drainTimeoutMs`); then the blocking connection closes.
   * Entries it could not flush stay pending in Redis for the next consumer.
   */
  async stop(): Promise<void> {
    if (!this.running || this.stopping) return this.running;
    this.stopping = true;
    this.stopSignal.abort();
    const drained = await Promise.race([this.running.then(() => true), sleep(this.options.drainTimeoutMs, false, { ref: false })]);
    if (!drained) {
      this.logger.warn(`drain took longer than ${this.options.drainTimeoutMs} ms; unflushed entries stay pending for the next consumer`);
      this.abandonSignal.abort();
    }
    await closeRedisClient(this.blocking!);
    await this.running;
  }

  /** The shared client connects in the background at boot: wait for it (up to a retry delay) rather than fail and back off. */
  private async untilConnected(): Promise<void> {
    const redis = this.config.redis;
    if (redis.status === 'ready') return;
    let onReady!: () => void;
    const ready = new Promise<void>((resolve) => {
      onReady = resolve;
      redis.once('ready', onReady);
    });
    await Promise.race([ready, this.pause(this.options.maxRetryDelayMs, this.stopSignal.signal)]);
    redis.off('ready', onReady);
  }

  /** Length, pending, undelivered, ages and last flush of this topic. */
  async stats(): Promise<WriteBehindStats> {
    const { length, pending, undelivered, oldestPendingAgeMs, lagMs } = await this.stream.figures();
    return { topic: this.topic, length, pending, undelivered, oldestPendingAgeMs, lagMs, lastFlushAt: this.lastFlushAt };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.untilConnected();
        await this.stream.ensureGroup();
        await this.recoverOwnPending();
        break;
      } catch (error) {
        this.warn(`cannot start consuming yet: ${(error as Error).message}`);
        await this.pause(this.options.maxRetryDelayMs, this.stopSignal.signal);
      }
    }
    let readAhead: Promise<StreamEntry[]> | undefined;
    while (!this.stopping) {
      if (Date.now() >= this.nextMaintenanceAtMs) await this.maintain();
      let batch: StreamEntry[];
      try {
        batch = await (readAhead ?? this.readBatch());
      } catch (error) {
        readAhead = undefined;
        if (this.stopping) break;
        this.warn(`read failed: ${(error as Error).message}`);
        if (/NOGROUP/.test((error as Error).message)) await this.stream.ensureGroup().catch(() => undefined);
        await this.pause(this.options.retryDelayMs * 10, this.stopSignal.signal);
        continue;
      }
      // Catching up on a backlog: the next batch is read while this one flushes, so a backlog drains at
      // the pace of the slower of Redis and Postgres, not of both in turn.
      readAhead = this.lastBatchWasFull ? this.readBatch() : undefined;
      readAhead?.catch(() => undefined); // awaited next turn (or below); a failure is handled there
      await this.process(batch);
    }
    // Entries read ahead are this consumer's now: drained with the rest, not left pending until claimed.
    const rest = readAhead ? await readAhead.catch(() => []) : [];
    if (rest.length) await this.process(rest);
    await Promise.all(this.acking);
  }

  /**
   * Up to `batchSize` new entries. Once the first arrives, the batch gets `flushIntervalMs` to
   * fill, then what arrived meanwhile is taken in one more read (not one read per trickle of
   * entries: under steady load that was hundreds of XREADGROUPs per batch). Not after a full
   * batch: then the consumer is catching up on a backlog, and the backlog's last, partial batch
   * is flushed at once rather than held back.
   */
  private async readBatch(): Promise<StreamEntry[]> {
    const { batchSize, blockMs, flushIntervalMs } = this.options;
    const batch = await this.stream.readNew(this.blocking!, batchSize, blockMs);
    if (!this.lastBatchWasFull && batch.length > 0 && batch.length < batchSize && flushIntervalMs > 0) {
      await this.pause(flushIntervalMs, this.stopSignal.signal);
      if (!this.stopping) batch.push(...(await this.stream.readNew(this.blocking!, batchSize - batch.length, 1).catch(() => [])));
    }
    this.lastBatchWasFull = batch.length === batchSize;
    return batch;
  }

  /** Entries this consumer (same name) held when it last stopped or crashed. */
  private async recoverOwnPending(): Promise<void> {
    for (let afterId = '0'; !this.stopping; ) {
      const entries = await this.stream.readOwnPending(afterId, this.options.batchSize);
      if (entries.length === 0) return;
      await this.process(entries);
      afterId = entries.at(-1)!.id;
    }
  }

  /** Claims entries abandoned by dead consumers, refreshes the gauges, trims what is flushed from the stream and the ledger. */
  private async maintain(): Promise<void> {
    this.nextMaintenanceAtMs = Date.now() + this.options.claimIntervalMs;
    try {
      let cursor = '0-0';
      do {
        const claimed = await this.stream.claimIdle(cursor, this.options.batchSize, this.options.claimIdleMs);
        if (claimed.entries.length) {
          this.logger.log(`claimed ${claimed.entries.length} entries idle over ${this.options.claimIdleMs} ms`);
          await this.process(claimed.entries);
        }
        cursor = claimed.next;
      } while (cursor !== '0-0' && !this.stopping);
      const { trimBelowId, pending, lagMs } = await this.stream.figures();
      this.metrics.pending.set({ topic: this.topic }, pending);
      this.metrics.lag.set({ topic: this.topic }, lagMs / 1_000);
      if (trimBelowId) {
        await this.stream.trimBelow(trimBelowId);
        await this.ledger.forgetBefore((sql, parameters) => this.config.dataSource.query(sql, parameters), trimBelowId);
      }
    } catch (error) {
      this.warn(`maintenance failed: ${(error as Error).message}`);
    }
  }

  /** Sorts a batch into dead letters and flushable entries, then flushes those (isolating a poison one). */
  private async process(batch: StreamEntry[]): Promise<void> {
    const deleted: string[] = [];
    const flushable: { entry: WriteBehindEntry<T>; raw: StreamEntry }[] = [];
    for (const raw of batch) {
      if (raw.body === null) {
        deleted.push(raw.id);
      } else if (raw.deliveries > this.options.maxDeliveries) {
        await this.deadLetter(raw, 'max-deliveries', `delivered ${raw.deliveries} times without an acknowledgement`);
      } else {
        try {
          const payload = this.parse(raw.body);
          flushable.push({ entry: { id: raw.id, payload, deliveries: raw.deliveries }, raw });
        } catch (error) {
          await this.deadLetter(raw, 'invalid', (error as Error).message);
        }
      }
    }
    await this.ack(deleted);
    if (flushable.length === 0) return;

    const together = await this.flushWithRetry(flushable.map((f) => f.entry));
    if (together.outcome !== 'failed') return;
    if (flushable.length === 1) return this.failedAlone(flushable[0].raw, together.error);
    for (const { entry, raw } of flushable) {
      const alone = await this.flushWithRetry([entry]);
      if (alone.outcome === 'abandoned') return;
      if (alone.outcome === 'failed') await this.failedAlone(raw, alone.error);
    }
  }

  private parse(body: string): T {
    const json: unknown = JSON.parse(body);
    return this.config.flusher.parse ? this.config.flusher.parse(json) : (json as T);
  }

  /** Retries transient failures in place (holding on to the entries); returns the first other failure. */
  private async flushWithRetry(entries: WriteBehindEntry<T>[]): Promise<Attempt> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.flushOnce(entries);
        return { outcome: 'committed' };
      } catch (error) {
        if (!this.options.isTransient(error)) return { outcome: 'failed', error };
        if (this.abandonSignal.signal.aborted) return { outcome: 'abandoned' };
        this.warn(`flush failed, retrying: ${(error as Error).message}`);
        await this.pause(Math.min(this.options.retryDelayMs * 2 ** attempt, this.options.maxRetryDelayMs), this.abandonSignal.signal);
        await this.stream.keepClaimed(entries.map((e) => e.id)).catch(() => undefined);
      }
    }
  }

  private async flushOnce(entries: WriteBehindEntry<T>[]): Promise<void> {
    const ids = entries.map((e) => e.id);
    const endTimer = this.metrics.flushDuration.startTimer({ topic: this.topic });
    let applied = 0;
    try {
      await this.config.dataSource.transaction(async (tx) => {
        const unapplied = await this.ledger.claimUnapplied(tx, ids);
        const fresh = entries.filter((e) => unapplied.has(e.id));
        if (fresh.length) await this.config.flusher.flush(fresh, tx);
        applied = fresh.length;
      });
    } catch (error) {
      this.metrics.batches.inc({ topic: this.topic, outcome: 'failed' });
      throw error;
    }
    endTimer();
    this.lastFlushAt = new Date();
    this.metrics.batches.inc({ topic: this.topic, outcome: 'committed' });
    this.metrics.flushed.inc({ topic: this.topic }, applied);
    this.metrics.duplicates.inc({ topic: this.topic }, entries.length - applied);
    const acked: Promise<void> = this.ack(ids).finally(() => this.acking.delete(acked));
    this.acking.add(acked);
  }

  /** A lost XACK is harmless: the entry comes back, and the ledger skips it. */
  private async ack(ids: string[]): Promise<void> {
    try {
      await this.stream.ack(ids);
    } catch (error) {
      this.warn(`XACK of ${ids.length} flushed entries failed; they will be redelivered and skipped: ${(error as Error).message}`);
    }
  }

  /** Out of deliveries: dead-letter it. Otherwise leave it pending; it is claimed again after `claimIdleMs`. */
  private async failedAlone(raw: StreamEntry, error: unknown): Promise<void> {
    if (raw.deliveries >= this.options.maxDeliveries) return this.deadLetter(raw, 'failed', (error as Error)?.message ?? String(error));
    this.logger.warn(`entry ${raw.id} failed (delivery ${raw.deliveries} of ${this.options.maxDeliveries}): ${(error as Error)?.message ?? error}`);
  }

  private async deadLetter(raw: StreamEntry, reason: string, error: string): Promise<void> {
    try {
      await this.stream.deadLetter(raw, reason, error);
      this.metrics.deadLettered.inc({ topic: this.topic, reason });
      this.logger.error(`entry ${raw.id} dead-lettered to ${this.keys.deadLetters} (${reason}): ${error}`);
    } catch (failure) {
      this.warn(`dead-lettering ${raw.id} failed, it stays pending: ${(failure as Error).message}`);
    }
  }

  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(ms, undefined, { signal, ref: false }).catch(() => undefined);
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarnedAtMs < LOG_BURST_MS) return;
    this.lastWarnedAtMs = Date.now();
    this.logger.warn(message);
  }
}
