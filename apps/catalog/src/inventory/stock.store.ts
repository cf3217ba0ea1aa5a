import { Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CacheEngine, REDIS_CLIENT, type RedisClient, WriteBehindQueue } from '@app/caching';
import { CATALOG_CONFIG, type CatalogConfig } from '../catalog.config.js';
import { STOCK_TOPIC, stockKey, stockOperationKey } from '../products/product-cache.keys.js';
import { ADJUST_STOCK_LUA, RELEASE_STOCK_LUA, RESERVE_STOCK_LUA } from './stock.scripts.js';

const SCRIPTS = { catalogAdjustStock: ADJUST_STOCK_LUA, catalogReserveStock: RESERVE_STOCK_LUA, catalogReleaseStock: RELEASE_STOCK_LUA };

export interface StockPayload {
  productId: number;
  delta: number;
  idempotencyKey: string;
}

export interface StockOutcome {
  productId: number;
  delta: number;
  /** Redis-side stock right after this change. */
  stock: number;
  /** The write-behind entry that carries the delta to Postgres. */
  entryId: string;
}

export type AdjustResult =
  | { status: 'applied' | 'duplicate'; outcome: StockOutcome }
  | { status: 'insufficient'; stock: number };

export type ReserveResult = { status: 'reserved' } | { status: 'insufficient'; productId: number; stock: number };

/**
 * The Redis-side stock: the admission counter every decrement passes (the write-behind
 * deltas of `PATCH /products/:id/stock` and the orders of `POST /orders`), so stock can never
 * go below zero even though Postgres learns of deltas later. A product's counter is
 * initialised from Postgres the first time it is needed (`HSETNX`, so racing initialisers
 * agree); from then on Redis leads and Postgres follows:
 *
 *   Postgres stock = Redis stock − (deltas accepted but not yet flushed)
 *
 * It converges whenever the `stock` stream is drained. The hash has no TTL: run Redis with a
 * `volatile-*` eviction policy (or `noeviction`) so it is never evicted. If it is lost anyway,
 * it is re-read from Postgres, and deltas still queued at that moment are applied on top; a
 * delta that would then take Postgres below zero fails its CHECK and is dead-lettered, never
 * applied.
 */
@Injectable()
export class StockStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: CacheEngine,
    private readonly queue: WriteBehindQueue,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {
    // EVALSHA, falling back to EVAL once per connection; the key count is the first argument.
    for (const [name, lua] of Object.entries(SCRIPTS)) if (!(name in redis)) redis.defineCommand(name, { lua });
  }

  /** One atomic check-and-apply in Redis, with the write-behind entry, deduplicated by `idempotencyKey`. */
  async adjust(productId: number, delta: number, idempotencyKey: string): Promise<AdjustResult> {
    const { stream, fields } = this.queue.entryFor(STOCK_TOPIC, { productId, delta, idempotencyKey } satisfies StockPayload);
    const keys = [stockKey(this.cache.keys), stockOperationKey(this.cache.keys, idempotencyKey), stream];
    for (let attempt = 0; ; attempt++) {
      const reply = await this.run<[string, string?]>('catalogAdjustStock', keys, [productId, delta, ...fields, this.config.stockIdempotencyTtlMs]);
      if (reply[0] === 'applied' || reply[0] === 'duplicate') {
        await this.durable(stream);
        return { status: reply[0], outcome: JSON.parse(reply[1]!) as StockOutcome };
      }
      if (reply[0] === 'insufficient') return { status: 'insufficient', stock: Number(reply[1]) };
      if (attempt > 0) throw new ServiceUnavailableException('stock could not be initialised, retry later');
      await this.initialise([productId]);
    }
  }

  /** Takes the quantities of an order, all or none. Give them back with {@link release} if the order fails. */
  async reserve(items: { productId: number; quantity: number }[]): Promise<ReserveResult> {
    const args = items.flatMap(({ productId, quantity }) => [productId, quantity]);
    for (let attempt = 0; ; attempt++) {
      const reply = await this.run<string[]>('catalogReserveStock', [stockKey(this.cache.keys)], args);
      if (reply[0] === 'reserved') return { status: 'reserved' };
      if (reply[0] === 'insufficient') return { status: 'insufficient', productId: Number(reply[1]), stock: Number(reply[2]) };
      if (attempt > 0) throw new ServiceUnavailableException('stock could not be initialised, retry later');
      await this.initialise(reply.slice(1).map(Number));
    }
  }

  async release(items: { productId: number; quantity: number }[]): Promise<void> {
    await this.run('catalogReleaseStock', [stockKey(this.cache.keys)], items.flatMap(({ productId, quantity }) => [productId, quantity]));
  }

  /** With WRITE_BEHIND_MIN_REPLICAS, the delta is accepted only once a replica has it (WAIT). */
  private async durable(stream: string): Promise<void> {
    try {
      await this.queue.replicated(stream);
    } catch (cause) {
      throw new ServiceUnavailableException('the stock change is not replicated yet, retry with the same idempotency key', { cause });
    }
  }

  /** The Redis-side stock of a product, if it is tracked yet. */
  async current(productId: number): Promise<number | undefined> {
    const value = await this.redis.hget(stockKey(this.cache.keys), String(productId));
    return value === null ? undefined : Number(value);
  }

  /** Copies Postgres stock of products Redis does not track yet; 404 when one does not exist. */
  private async initialise(productIds: number[]): Promise<void> {
    const rows = (await this.db.query('SELECT id, stock FROM catalog.products WHERE id = ANY($1::bigint[])', [productIds])) as { id: string; stock: number }[];
    const found = new Set(rows.map((row) => Number(row.id)));
    const missing = productIds.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundException(`product ${missing} not found`);
    const pipeline = this.redis.pipeline();
    for (const row of rows) pipeline.hsetnx(stockKey(this.cache.keys), row.id, row.stock);
    await this.exec(pipeline.exec());
  }

  /** Stock is not a cache: when Redis cannot answer, nothing is accepted (503), instead of admitting blind. */
  private async run<T>(script: keyof typeof SCRIPTS, keys: string[], args: (string | number)[]): Promise<T> {
    const command = (this.redis as unknown as Record<typeof script, (...args: (string | number)[]) => Promise<unknown>>)[script];
    try {
      return (await command.call(this.redis, keys.length, ...keys, ...args)) as T;
    } catch (cause) {
      throw new ServiceUnavailableException('inventory is unavailable right now (Redis), retry later', { cause });
    }
  }

  private async exec(replies: Promise<[Error | null, unknown][] | null>): Promise<void> {
    try {
      const failed = (await replies)?.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (cause) {
      throw new ServiceUnavailableException('inventory is unavailable right now (Redis), retry later', { cause });
    }
  }
}
