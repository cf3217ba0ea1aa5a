import type { EntityManager } from 'typeorm';

/**
 * The ids already applied, in the flush's own transaction: an entry redelivered after a
 * crash between COMMIT and XACK is recorded there and skipped. Two consumers flushing
 * the same entry at once serialize on the primary key; the second finds it applied.
 */
export class AppliedEntriesLedger {
  constructor(
    private readonly table: string,
    private readonly stream: string,
  ) {}

  /** Records `ids` as applied and returns those that were not already (the ones to apply now). */
  async claimUnapplied(tx: EntityManager, ids: string[]): Promise<Set<string>> {
    const rows = (await tx.query(
      `INSERT INTO ${this.table} (stream, entry_id) SELECT $1, unnest($2::varchar[]) ON CONFLICT DO NOTHING RETURNING entry_id`,
      [this.stream, ids],
    )) as { entry_id: string }[];
    return new Set(rows.map((row) => row.entry_id));
  }

  /** Fails start-up early when the table is missing or lacks the columns. */
  async check(run: (sql: string) => Promise<unknown>): Promise<void> {
    await run(`SELECT stream, entry_id FROM ${this.table} LIMIT 0`);
  }
}
