import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The write-behind ledger records one row per flushed batch instead of one per entry (see
 * libs/caching write-behind.ledger.ts): a 5,000-entry flush spent most of its time inserting
 * 5,000 primary-key entries. Ids already recorded move over, one row per stream, so an entry
 * applied before the upgrade and redelivered after it is still skipped.
 */
export class WriteBehindBatchLedger1732300000400 implements MigrationInterface {
  name = 'WriteBehindBatchLedger1732300000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog.applied_stream_batches (
        stream      varchar(200) NOT NULL,
        first_ms    bigint NOT NULL,
        last_ms     bigint NOT NULL,
        entry_ids   text[] NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX applied_stream_batches_range_idx ON catalog.applied_stream_batches (stream, last_ms)`);
    await q.query(`
      INSERT INTO catalog.applied_stream_batches (stream, first_ms, last_ms, entry_ids)
      SELECT stream, min(split_part(entry_id, '-', 1)::bigint), max(split_part(entry_id, '-', 1)::bigint), array_agg(entry_id::text)
      FROM catalog.applied_stream_entries GROUP BY stream`);
    await q.query(`DROP TABLE catalog.applied_stream_entries`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog.applied_stream_entries (
        stream      varchar(200) NOT NULL,
        entry_id    varchar(40) NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream, entry_id)
      )`);
    await q.query(`
      INSERT INTO catalog.applied_stream_entries (stream, entry_id)
      SELECT stream, unnest(entry_ids) FROM catalog.applied_stream_batches ON CONFLICT DO NOTHING`);
    await q.query(`DROP TABLE catalog.applied_stream_batches`);
  }
}
