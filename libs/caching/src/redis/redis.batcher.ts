import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis.client-factory.js';

interface Queued {
  add: (pipeline: ChainableCommander) => void;
  resolve: (reply: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends the commands that concurrent requests issue during one turn of the event loop as one
 * pipeline: one write to the socket for all of them instead of one each. On a busy route the
 * writes, not Redis, are the cost (a syscall each); a batch waits at most until the loop has
 * handled the I/O at hand (`setImmediate`), not for a timer.
 *
 * Scoped on purpose: ioredis's `enableAutoPipelining` does the same for every command of a client,
 * but on a Cluster it routes scripts by their SHA rather than their key (redis/ioredis#2109). On a
 * Cluster, every command sent through one batcher must hash to one slot (give their keys one hash tag).
 *
 * @example
 * const batcher = new RedisBatcher(redis);
 * const views = await batcher.run<number>((pipeline) => pipeline.hincrby(countsKey, '42', 1));
 */
export class RedisBatcher {
  private queued: Queued[] = [];

  constructor(private readonly redis: RedisClient) {}

  /** Adds one command (through `add`) to the next pipeline; resolves with its reply, or rejects with its error. */
  run<T>(add: (pipeline: ChainableCommander) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queued.push({ add, resolve: resolve as (reply: unknown) => void, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    try {
      const pipeline = this.redis.pipeline();
      for (const { add } of batch) add(pipeline);
      const replies = await pipeline.exec();
      batch.forEach(({ resolve, reject }, index) => {
        const [error, reply] = replies?.[index] ?? [new Error('the pipeline was aborted'), null];
        if (error) reject(error);
        else resolve(reply);
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
