import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The users service's own read model of orders: per-user order figures, fed by catalog's
 * order events (eventual consistency), and the event ids already applied (idempotency).
 */
export class CreateOrderStats1732300000010 implements MigrationInterface {
  name = 'CreateOrderStats1732300000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users.order_stats (
        user_id        bigint PRIMARY KEY,
        order_count    integer NOT NULL DEFAULT 0,
        last_order_at  timestamptz
      )`);
    await q.query(`
      CREATE TABLE users.applied_events (
        event_id    varchar(64) PRIMARY KEY,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users.applied_events`);
    await q.query(`DROP TABLE users.order_stats`);
  }
}
