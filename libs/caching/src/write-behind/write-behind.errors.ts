/**
 * The entry could not be stored (Redis down, timed out, or refused it). Nothing was
 * accepted, so the caller should answer 503 and let the client retry; after a timeout
 * the entry may still have landed, so a retry can apply twice (at-least-once).
 */
export class WriteBehindUnavailableError extends Error {
  readonly code = 'E_WRITE_BEHIND_UNAVAILABLE';
  override readonly name = 'WriteBehindUnavailableError';

  constructor(
    readonly topic: string,
    options: { cause: unknown },
  ) {
    super(`write-behind queue "${topic}" is unavailable: ${(options.cause as Error)?.message ?? options.cause}`, options);
  }
}
