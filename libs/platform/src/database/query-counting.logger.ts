import { Logger as NestLogger } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { Logger as TypeOrmLogger } from 'typeorm';

const FIRST_TABLE = /\b(?:from|into|update|join)\s+"?(\w+)"?\."?(\w+)"?/i;

/**
 * Counts every SQL statement the service sends, by operation and first table, into
 * `db_queries_total`: how tests and benchmarks prove "the database was queried once".
 */
export class QueryCountingLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');
  private readonly queries: Counter<'operation' | 'table'>;

  constructor(registry: Registry) {
    this.queries = new Counter({
      name: 'db_queries_total',
      help: 'SQL statements sent to Postgres, by operation and first table',
      labelNames: ['operation', 'table'] as const,
      registers: [registry],
    });
  }

  logQuery(query: string): void {
    const operation = /^\s*(\w+)/.exec(query)?.[1]?.toLowerCase() ?? 'other';
    if (operation === 'start' || operation === 'commit' || operation === 'rollback') return;
    const match = FIRST_TABLE.exec(query);
    this.queries.inc({ operation, table: match ? `${match[1]}.${match[2]}` : 'none' });
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug?.(`query failed: ${typeof error === 'string' ? error : error.message} in ${query.slice(0, 200)}`);
  }

  logQuerySlow(timeMs: number, query: string): void {
    this.logger.warn(`slow query (${timeMs} ms): ${query.slice(0, 200)}`);
  }

  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
