/**
 * In-process request coalescing: while a call for a key is running, other callers of the
 * same key get its promise instead of starting their own.
 */
export class Singleflight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /** Runs `work` unless a call for `key` is already running; `joined` tells which happened. */
  run(key: string, work: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const running = this.inflight.get(key);
    if (running) return { promise: running, joined: true };
    const promise = work();
    this.inflight.set(key, promise);
    const settled = () => this.inflight.delete(key);
    promise.then(settled, settled);
    return { promise, joined: false };
  }

  /** The call running for `key`, to wait on without starting one. */
  running(key: string): Promise<T> | undefined {
    return this.inflight.get(key);
  }

  /** Settles when every call running now has settled. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()]);
  }
}
