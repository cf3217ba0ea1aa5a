/**
 * Consecutive-failure circuit breaker. Closed: calls go through. After `failureThreshold`
 * failures in a row it opens for `openMs`: calls are refused at once (a cache miss,
 * no Redis round trip). Then one probe is let through; success closes it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntilMs = 0;
  private probing = false;

  constructor(
    private readonly failureThreshold = 5,
    private readonly openMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.failureThreshold) return 'closed';
    return this.now() < this.openUntilMs ? 'open' : 'half-open';
  }

  /** True when a call may go to Redis now. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
  }

  /** Records a failure; returns true when this failure opened the circuit. */
  failure(): boolean {
    this.probing = false;
    this.failures += 1;
    if (this.failures >= this.failureThreshold) {
      const wasOpen = this.now() < this.openUntilMs;
      this.openUntilMs = this.now() + this.openMs;
      return !wasOpen;
    }
    return false;
  }
}
