/** One caller's answer: its result, or the error that fails that caller alone (the shape of ioredis's `exec()` replies). */
export type BatchOutcome<O> = [error: null, result: O] | [error: Error, result?: unknown];

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects what concurrent callers submit during one turn of the event loop and hands it to one
 * `flush`: a busy route then sends Redis one command (a variadic command, a script over many items,
 * or a pipeline) per turn instead of one per request. On a busy write route the round trips, not
 * Redis, are the cost: a socket write, a read and a reply to parse each. A batch waits until the loop
 * has handled the I/O at hand (`setImmediate`), not for a timer, so latency barely moves.
 *
 * `flush` answers each item, in order; when it throws, every caller of that batch gets its error.
 * At most `maxBatch` items go to one `flush` (a Lua `unpack` or a reply must stay bounded).
 *
 * ioredis's `enableAutoPipelining` batches every command of a client the same way, but on a Redis
 * Cluster it routes scripts by their SHA rather than their key (redis/ioredis#2109), and it cannot
 * merge many items into one command.
 *
 * @example
 * const counts = new TickBatcher<string, number>(async (ids) =>
 *   (await redis.pipeline(ids.map((id) => ['hincrby', countsKey, id, 1])).exec()) as BatchOutcome<number>[]);
 * const views = await counts.submit('42'); // with 50 concurrent callers: one pipeline, one write
 */
export class TickBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];

  constructor(
    private readonly flush: (items: I[]) => Promise<BatchOutcome<O>[]>,
    private readonly maxBatch = 1_000,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  }

  /** Adds `item` to the next batch; resolves with its result, or rejects with its error or the batch's. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1) setImmediate(() => this.sendWaiting());
    });
  }

  private sendWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    if (waiting.length <= this.maxBatch) void this.send(waiting);
    else for (let start = 0; start < waiting.length; start += this.maxBatch) void this.send(waiting.slice(start, start + this.maxBatch));
  }

  private async send(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outcomes = await this.flush(batch.map(({ item }) => item));
      batch.forEach(({ resolve, reject }, index) => {
        const outcome = outcomes[index] ?? [new Error(`the batch answered ${outcomes.length} of ${batch.length} items`)];
        if (outcome[0] === null) resolve(outcome[1]);
        else reject(outcome[0]);
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
