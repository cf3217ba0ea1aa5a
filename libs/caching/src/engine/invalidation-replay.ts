import { Logger } from '@nestjs/common';
import type { CacheMetrics } from '../metrics/cache.metrics.js';
import { type InvalidationKind, type MissedInvalidation, MissedInvalidations } from './missed-invalidations.js';

export interface InvalidationReplayOptions {
  /** How long after a miss the replay runs, and again while Redis stays away (ms). */
  intervalMs: number;
  /** The most invalidations kept; past it the oldest is dropped and counted. */
  capacity: number;
}

/**
 * Replays the invalidations Redis did not take (down, slow, out of memory, circuit open) until
 * they land. A write made during an outage must not leave the value it replaced in the cache:
 * Redis may come back with it (a partition, a black hole, a stalled node keep their data).
 * Until an invalidation lands, {@link coversKey} and {@link coversGeneration} tell the engine to
 * read around the cache.
 *
 * A replay that lands after a newer write costs one extra miss, never a stale read. In memory,
 * so lost with the process: the TTL remains the last bound on staleness.
 */
export class InvalidationReplay {
  private readonly logger = new Logger('CacheEngine');
  private readonly missed: MissedInvalidations;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    /** Sends one invalidation; true when no replay is needed any more (it landed, or was refused for good). */
    private readonly send: (invalidation: MissedInvalidation) => Promise<boolean>,
    private readonly metrics: CacheMetrics,
    private readonly options: InvalidationReplayOptions,
  ) {
    this.missed = new MissedInvalidations(options.capacity);
  }

  /** Whether a read of `key` from Redis could return a value a pending invalidation removes. */
  coversKey(key: string): boolean {
    return this.missed.coversKey(key);
  }

  /** Whether a group's generation in Redis is older than a pending bump. */
  coversGeneration(name: string): boolean {
    return this.missed.coversGeneration(name);
  }

  /** Keeps an invalidation Redis did not take, to replay it shortly. */
  remember(kind: InvalidationKind, name: string): void {
    const { added, dropped } = this.missed.add(kind, name);
    if (added) this.metrics.missedInvalidations.inc({ kind, outcome: 'missed' });
    if (dropped) {
      this.metrics.missedInvalidations.inc({ kind: dropped.kind, outcome: 'dropped' });
      this.logger.warn(`more than ${this.options.capacity} invalidations missed: ${dropped.kind} ${dropped.name} given up (stale until its TTL)`);
    }
    this.metrics.pendingInvalidations.set(this.missed.size);
    this.schedule();
  }

  /** Waits for a running pass, tries once more, and counts what is still pending as abandoned. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
    await this.replay();
    for (const { kind } of this.missed.list()) this.metrics.missedInvalidations.inc({ kind, outcome: 'abandoned' });
    if (this.missed.size) this.logger.warn(`${this.missed.size} missed invalidations abandoned at shutdown (stale until their TTL)`);
    this.missed.clear();
    this.metrics.pendingInvalidations.set(0);
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.replay().finally(() => {
        this.running = undefined;
        if (this.missed.size) this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /**
   * One pass, oldest first, one at a time: the first that misses again (Redis still away) ends
   * it, and it and the rest wait for the next pass. Each stays pending until its own replay landed.
   */
  private async replay(): Promise<void> {
    for (const invalidation of this.missed.list()) {
      if (!(await this.send(invalidation))) break;
      this.missed.settle(invalidation);
      this.metrics.missedInvalidations.inc({ kind: invalidation.kind, outcome: 'replayed' });
    }
    this.metrics.pendingInvalidations.set(this.missed.size);
  }
}
