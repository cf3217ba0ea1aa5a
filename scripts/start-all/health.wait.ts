export interface HealthWaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Each probe gives up after this long, so a hung server cannot stall the wait. */
  probeTimeoutMs: number;
  /** Polling stops early (as a failure) once this returns false, e.g. when the process died. */
  isAlive: () => boolean;
}

/** The outcome of waiting for one health URL: healthy, or the last thing seen before giving up. */
export type HealthWaitResult = { healthy: true } | { healthy: false; lastSeen: string };

/** Polls `url` until it answers 200, the deadline passes, or `isAlive()` turns false. */
export async function waitForHealthy(url: string, options: HealthWaitOptions): Promise<HealthWaitResult> {
  const deadline = Date.now() + options.timeoutMs;
  let lastSeen = 'no answer yet';
  while (Date.now() < deadline) {
    if (!options.isAlive()) return { healthy: false, lastSeen: 'process exited' };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(options.probeTimeoutMs) });
      await response.body?.cancel();
      if (response.status === 200) return { healthy: true };
      lastSeen = `HTTP ${response.status}`;
    } catch (error) {
      lastSeen = describeFetchError(error);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  return { healthy: false, lastSeen };
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
