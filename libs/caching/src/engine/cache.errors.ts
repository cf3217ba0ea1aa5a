/** The factory did not finish within `hardTimeoutMs`, and no stale value could stand in. */
export class CacheFactoryTimeoutError extends Error {
  readonly code = 'E_FACTORY_HARD_TIMEOUT';
  override readonly name = 'CacheFactoryTimeoutError';

  constructor(
    readonly key: string,
    readonly timeoutMs: number,
  ) {
    super(`cache factory for ${key} took longer than ${timeoutMs} ms`);
  }
}
