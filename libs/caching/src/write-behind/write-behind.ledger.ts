import type { EntityManager } from 'typeorm';
import { entryTimeMs } from './write-behind.keys.js';

/**
 * The entries already applied, recorded in the flush's own transaction: an entry redelivered
 * after a crash between COMMIT and XACK, or claimed from a consumer that was only slow, is
 * found there and skipped.
 *
 * One row per flushed batch (its entry ids as an array, and the range of their timestamps),
 * not one row per entry: recording 5,000 entries is one small insert instead of 5,000 index
 * insertions, which were most of a flush's time. Flushes of one stream take a transaction-level
 * advisory lock first, so a check and the insert that follows it are never interleaved with
 * another consumer's: of two consumers holding the same entry, the second to lock finds it.
 *
 * The table (name validated by the consumer's options):
 *
 *     CREATE TABLE <table> (stream varchar(200) NOT NULL, first_ms bigint NOT NULL, last_ms bigint NOT NULL,
 *       entry_ids text[] NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
 *     CREATE INDEX ON <table> (stream, last_ms);
 */
export class AppliedEntriesLedger {
  constructor(
    private readonly table: string,
    private readonly stream: string,
  ) {}

  /** Records `ids` as applied and returns those that were not already (the ones to apply now). */
  async claimUnapplied(tx: EntityManager, ids: string[]): Promise<Set<string>> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${this.table}:${this.stream}`]);
    const times = ids.map(entryTimeMs);
    // Only batches whose time range overlaps this one can hold any of its ids: the (stream, last_ms)
    // index finds them, and with one consumer there are none (each batch starts after the last).
    const rows = (await tx.query(
      `WITH mine AS (SELECT unnest(string_to_array($4, ',')) AS id),
            applied AS (
              SELECT DISTINCT done.id FROM ${this.table} batch
              CROSS JOIN LATERAL unnest(batch.entry_ids) AS done(id)
              JOIN mine ON mine.id = done.id
              WHERE batch.stream = $1 AND batch.last_ms >= $2 AND batch.first_ms <= $3),
            recorded AS (
              INSERT INTO ${this.table} (stream, first_ms, last_ms, entry_ids)
              SELECT $1, $2, $3, array_agg(mine.id) FROM mine WHERE mine.id NOT IN (SELECT id FROM applied)
              HAVING count(*) > 0)
       SELECT id FROM applied`,
      // One comma-joined text, not a text[] parameter: stream ids hold only digits and a dash, and 5,000
      // ids then skip the array literal's quoting (node-postgres) and parsing (Postgres), ~30 % of this query.
      [this.stream, Math.min(...times), Math.max(...times), ids.join(',')],
    )) as { id: string }[];
    const applied = new Set(rows.map((row) => row.id));
    return new Set(ids.filter((id) => !applied.has(id)));
  }

  /**
   * Forgets the batches no entry can come back from: those whose every entry is older than the
   * millisecond of `oldestKeptId`, the stream's trim point. Everything below it was acknowledged, and an
   * acknowledged entry is never delivered again; without this the table grows by ~16 bytes per entry forever.
   */
  async forgetBefore(run: (sql: string, parameters: unknown[]) => Promise<unknown>, oldestKeptId: string): Promise<void> {
    await run(`DELETE FROM ${this.table} WHERE stream = $1 AND last_ms < $2`, [this.stream, entryTimeMs(oldestKeptId)]);
  }

  /** Fails start-up early when the table is missing or lacks the columns. */
  async check(run: (sql: string) => Promise<unknown>): Promise<void> {
    await run(`SELECT stream, first_ms, last_ms, entry_ids FROM ${this.table} LIMIT 0`);
  }
}
