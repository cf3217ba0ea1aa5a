import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { cdcChangelogSql, cdcTriggerSql, PgChangeListener, type PgChangeListenerOptions, type TableChange } from '@app/caching';
import { FaultProxy } from '../support/fault-proxy.js';
import { waitUntil } from '../support/wait.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHANNEL = 'catalog_products';
const CHANGELOG = 'catalog.cache_invalidations';

type ProductChange = TableChange<{ category: string }>;

describe('Postgres CDC listener (real Postgres, catalog.products trigger)', () => {
  let db: pg.Client;
  const listeners: PgChangeListener[] = [];
  const proxies: FaultProxy[] = [];

  before(async () => {
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  });
  after(async () => {
    await Promise.all(listeners.map((l) => l.stop()));
    await Promise.all(proxies.map((p) => p.close()));
    await db.end();
  });

  async function insertProduct(category: string): Promise<number> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO catalog.products (sku, name, category, price_cents) VALUES ($1, 'test product', $2, 100) RETURNING id`,
      [`inv-${randomBytes(6).toString('hex')}`, category],
    );
    return Number(rows[0].id);
  }

  /** A started listener whose handler records the changes of `ids` only (other specs share the table). */
  async function listen(ids: number[], options: Partial<PgChangeListenerOptions> = {}) {
    const changes: ProductChange[] = [];
    const listener = new PgChangeListener({
      connection: databaseUrl,
      channel: CHANNEL,
      changelog: CHANGELOG,
      reconnectMaxDelayMs: 200,
      handle: (change: ProductChange) => {
        if (ids.includes(Number(change.id))) changes.push(change);
      },
      ...options,
    });
    listeners.push(listener);
    await listener.start();
    assert.ok(listener.listening);
    return { listener, changes };
  }

  it('calls the handler within 1 s of a raw SQL UPDATE, with the id and the old and new category', async () => {
    const id = await insertProduct('shoes');
    const { changes } = await listen([id]);
    const startedAt = performance.now();
    await db.query(`UPDATE catalog.products SET category = 'socks' WHERE id = $1`, [id]);
    await waitUntil(() => changes.length > 0, { timeoutMs: 1_000, what: 'the change' });
    assert.ok(performance.now() - startedAt < 1_000);
    assert.deepEqual(changes, [
      { changeId: changes[0].changeId, table: 'catalog.products', op: 'UPDATE', id, old: { category: 'shoes' }, new: { category: 'socks' } },
    ]);
  });

  it('resyncs from the changelog after reconnecting: an UPDATE made while its connection was cut is still handled', async () => {
    const id = await insertProduct('hats');
    const proxy = await FaultProxy.start({ targetPort: 5432 });
    proxies.push(proxy);
    const url = new URL(databaseUrl);
    url.port = String(proxy.port);
    const { listener, changes } = await listen([id], { connection: url.toString(), resyncIntervalMs: 600_000 });

    await proxy.setMode('reset');
    await waitUntil(() => !listener.listening, { timeoutMs: 2_000, what: 'the listener to notice the cut' });
    await db.query(`UPDATE catalog.products SET category = 'caps' WHERE id = $1`, [id]);
    await sleep(300);
    assert.equal(changes.length, 0, 'nothing can arrive while disconnected');

    await proxy.setMode('pass');
    await waitUntil(() => changes.length > 0, { timeoutMs: 5_000, what: 'the change after reconnecting' });
    assert.deepEqual([changes[0].op, changes[0].old, changes[0].new], ['UPDATE', { category: 'hats' }, { category: 'caps' }]);
  });

  it('does not skip a change whose transaction committed after a later one (ids are not commit order)', async () => {
    const [early, late] = [await insertProduct('old'), await insertProduct('old')];
    const proxy = await FaultProxy.start({ targetPort: 5432 });
    proxies.push(proxy);
    const url = new URL(databaseUrl);
    url.port = String(proxy.port);
    const { listener, changes } = await listen([early, late], { connection: url.toString(), resyncIntervalMs: 600_000 });

    const slow = new pg.Client({ connectionString: databaseUrl });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`UPDATE catalog.products SET category = 'new' WHERE id = $1`, [early]); // takes the lower change id
      await db.query(`UPDATE catalog.products SET category = 'new' WHERE id = $1`, [late]); // commits first
      await waitUntil(() => changes.some((c) => c.id === late), { timeoutMs: 2_000, what: 'the later change' });

      await proxy.setMode('reset');
      await waitUntil(() => !listener.listening, { timeoutMs: 2_000, what: 'the cut' });
      await slow.query('COMMIT'); // its NOTIFY is lost
      await proxy.setMode('pass');
      await waitUntil(() => changes.some((c) => c.id === early), { timeoutMs: 5_000, what: 'the earlier-id change' });
    } finally {
      await slow.end();
    }
    const earlyChange = changes.find((c) => c.id === early)!;
    const lateChange = changes.find((c) => c.id === late)!;
    assert.ok(earlyChange.changeId < lateChange.changeId, 'the change handled last has the lower id');
  });

  it('prunes changelog rows older than the retention, on a schedule', async () => {
    const channel = `prune_${randomBytes(4).toString('hex')}`;
    await db.query(
      `INSERT INTO ${CHANGELOG} (channel, payload, created_at)
       SELECT $1, '{"op":"UPDATE"}', now() - make_interval(hours => h) FROM unnest(ARRAY[1, 30, 50]) AS h`,
      [channel],
    );
    const listener = new PgChangeListener({
      connection: databaseUrl, channel, changelog: CHANGELOG, handle: () => undefined, retentionMs: 24 * 3_600_000, pruneIntervalMs: 100,
    });
    listeners.push(listener);
    await listener.start();
    const remaining = async () => (await db.query(`SELECT count(*)::int AS n FROM ${CHANGELOG} WHERE channel = $1`, [channel])).rows[0].n as number;
    await waitUntil(async () => (await remaining()) === 1, { timeoutMs: 2_000, what: 'the two old rows pruned' });
    assert.equal(await listener.prune(0), 1);
  });

  it('sends changes larger than a NOTIFY can carry as a stub and reads the full change from the changelog', async () => {
    const schema = `inv_${randomBytes(4).toString('hex')}`;
    const channel = `${schema}_docs`;
    await db.query(`CREATE SCHEMA ${schema}`);
    try {
      await db.query(`CREATE TABLE ${schema}.docs (id int PRIMARY KEY, body text NOT NULL)`);
      for (const sql of [
        ...cdcChangelogSql(`${schema}.changelog`).up,
        ...cdcTriggerSql({ table: `${schema}.docs`, channel, changelog: `${schema}.changelog`, columns: ['body'] }).up,
      ]) {
        await db.query(sql);
      }
      const changes: TableChange<{ body: string }>[] = [];
      const listener = new PgChangeListener({
        connection: databaseUrl, channel, changelog: `${schema}.changelog`, handle: (c: TableChange<{ body: string }>) => void changes.push(c),
      });
      listeners.push(listener);
      await listener.start();
      const body = 'x'.repeat(20_000);
      await db.query(`INSERT INTO ${schema}.docs VALUES (1, $1)`, [body]);
      await waitUntil(() => changes.length === 1, { timeoutMs: 1_000, what: 'the large change' });
      assert.equal(changes[0].new?.body, body);
      await listener.stop();
    } finally {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});
