import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { PlatformConfig } from '../config/env.schema.js';

/** How much longer than the statement timeout the client waits for a reply it never gets. */
const QUERY_TIMEOUT_MARGIN_MS = 300;

type QueryCallback = (error: Error | null, result?: unknown) => void;

/**
 * A pg client that closes its connection when a query gets no reply within `query_timeout`.
 * pg would keep the connection, with the unanswered query still ahead of the next one, so the
 * pool would hand the same silent socket to request after request; closed, it is replaced.
 */
export class FailFastPgClient extends pg.Client {
  override query(...args: unknown[]): never {
    const at = args.findIndex((arg) => typeof arg === 'function');
    if (at >= 0) {
      const callback = args[at] as QueryCallback;
      args[at] = (error: Error | null, result?: unknown) => {
        this.closeIfSilent(error);
        callback(error, result);
      };
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) result.catch((error: Error) => this.closeIfSilent(error));
    return result as never;
  }

  private closeIfSilent(error: Error | null): void {
    if (error?.message === 'Query read timeout') (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** Connection and pool settings shared by the services, the migrator and the seeder. */
export function postgresOptions(
  config: Pick<PlatformConfig, 'databaseUrl' | 'databasePoolSize' | 'databaseAcquireTimeoutMs' | 'databaseStatementTimeoutMs'>,
): PostgresOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    synchronize: false,
    // ids and counts are bigint in SQL; every one here fits a JS number (< 2^53).
    parseInt8: true,
    migrationsTableName: 'typeorm_migrations',
    extra: {
      max: config.databasePoolSize,
      // pg waits this long for a free pooled connection (and for a new one), then fails: a 503, never a hang.
      connectionTimeoutMillis: config.databaseAcquireTimeoutMs,
      statement_timeout: config.databaseStatementTimeoutMs,
      // The server enforces statement_timeout only while it can answer. When the network eats the
      // replies (a black hole, a half-open connection), this client-side bound fails the query a
      // little later, instead of the request hanging until the kernel gives up on the socket.
      query_timeout: config.databaseStatementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
      Client: FailFastPgClient,
      idleTimeoutMillis: 30_000,
    },
  };
}
