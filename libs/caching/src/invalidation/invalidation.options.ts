/** Options of {@link InvalidationModule}. */
export interface InvalidationModuleOptions {
  /** `XADD MAXLEN ~` of every stream this service publishes to. Default 100,000 entries. */
  streamMaxLength?: number;
  /** Postgres URL for CDC listeners; each listener opens one client of its own, outside any pool. */
  databaseUrl?: string;
}

export const DEFAULT_STREAM_MAX_LENGTH = 100_000;
