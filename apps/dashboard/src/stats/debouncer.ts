/**
 * Trailing debounce for an async task: many `trigger()`s in a burst run the task once,
 * `quietMs` after the last one, or `maxWaitMs` after the first when the burst never pauses.
 * Runs never overlap: a trigger during a run schedules one more run after it.
 *
 * @example
 * const recompute = new Debouncer(() => stats.refresh('event'), 250, 1_000);
 * for (const event of burst) recompute.trigger(); // one refresh, 250 ms after the last
 */
export class Debouncer {
  private timer: NodeJS.Timeout | undefined;
  private firstTriggerAtMs: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  trigger(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.firstTriggerAtMs ??= now;
    clearTimeout(this.timer);
    const delayMs = Math.max(0, Math.min(this.quietMs, this.firstTriggerAtMs + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.fire(), delayMs);
  }

  /** Cancels what is scheduled and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.chain;
  }

  private fire(): void {
    this.timer = undefined;
    this.firstTriggerAtMs = undefined;
    this.chain = this.chain.then(() => this.task().catch((error: Error) => this.onError(error)));
  }
}
