import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CacheEventPublisher } from '@app/caching';
import { EVENT_STREAMS, ORDER_CREATED, type OrderCreatedPayload } from '@app/contracts';
import { StockStore } from '../inventory/stock.store.js';
import type { CreateOrderDto } from './dto/create-order.dto.js';

export interface PlacedOrder {
  orderId: number;
  userId: number;
  totalCents: number;
  paymentMethod: string;
  createdAt: string;
  items: { productId: number; quantity: number; unitPriceCents: number }[];
}

class OutOfStock extends Error {
  constructor(readonly productId: number) {
    super(`product ${productId} does not have enough stock`);
  }
}

/**
 * Orders are synchronous: one transaction writes the order, its items, its payment, and takes
 * the stock with a `stock >= quantity` guard (409 when short). Stock rule shared with
 * `PATCH /products/:id/stock`: every decrement is admitted by the Redis-side stock first
 * ({@link StockStore.reserve}), then Postgres applies it with its own guard; if the
 * transaction fails, the reservation is given back. So the two paths never promise the same
 * unit twice. After the commit, ORDER_CREATED goes to the orders stream.
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stock: StockStore,
    private readonly events: CacheEventPublisher,
  ) {}

  async place(dto: CreateOrderDto): Promise<PlacedOrder> {
    const items = [...dto.items].sort((a, b) => a.productId - b.productId);
    if (new Set(items.map((i) => i.productId)).size !== items.length) throw new BadRequestException('items must list each productId once');
    const reserved = await this.stock.reserve(items);
    if (reserved.status === 'insufficient') {
      throw new ConflictException(`product ${reserved.productId} has ${reserved.stock} in stock, not enough for this order`);
    }
    let order: PlacedOrder;
    try {
      order = await this.db.transaction((tx) => this.write(tx, dto, items));
    } catch (error) {
      await this.stock.release(items).catch((e: Error) => this.logger.error(`could not give back reserved stock: ${e.message}`));
      if (error instanceof OutOfStock) throw new ConflictException(error.message);
      throw error;
    }
    await this.publish(order);
    return order;
  }

  private async write(tx: EntityManager, dto: CreateOrderDto, items: CreateOrderDto['items']): Promise<PlacedOrder> {
    const ids = items.map((i) => i.productId);
    const quantities = items.map((i) => i.quantity);
    // Row locks in id order, so concurrent orders of the same products queue instead of deadlocking.
    const locked = (await tx.query('SELECT id FROM catalog.products WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [ids])) as { id: string }[];
    const missing = ids.find((id) => !locked.some((row) => Number(row.id) === id));
    if (missing !== undefined) throw new NotFoundException(`product ${missing} not found`);
    const [taken] = (await tx.query(
      `UPDATE catalog.products p SET stock = p.stock - v.quantity, updated_at = now()
         FROM unnest($1::bigint[], $2::int[]) AS v(id, quantity)
        WHERE p.id = v.id AND p.stock >= v.quantity
      RETURNING p.id, p.price_cents`,
      [ids, quantities],
    )) as [{ id: string; price_cents: number }[], number];
    const short = ids.find((id) => !taken.some((row) => Number(row.id) === id));
    if (short !== undefined) throw new OutOfStock(short);
    const priceOf = new Map(taken.map((row) => [Number(row.id), row.price_cents]));
    const lines = items.map((i) => ({ ...i, unitPriceCents: priceOf.get(i.productId)! }));
    const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
    const [row] = (await tx.query('INSERT INTO catalog.orders (user_id, total_cents) VALUES ($1, $2) RETURNING id, created_at', [dto.userId, totalCents])) as {
      id: string;
      created_at: Date;
    }[];
    await tx.query(
      `INSERT INTO catalog.order_items (order_id, product_id, quantity, unit_price_cents)
       SELECT $1, * FROM unnest($2::bigint[], $3::int[], $4::int[])`,
      [row.id, ids, quantities, lines.map((line) => line.unitPriceCents)],
    );
    await tx.query('INSERT INTO catalog.payments (order_id, amount_cents, method) VALUES ($1, $2, $3)', [row.id, totalCents, dto.paymentMethod]);
    return {
      orderId: Number(row.id),
      userId: dto.userId,
      totalCents,
      paymentMethod: dto.paymentMethod,
      createdAt: new Date(row.created_at).toISOString(),
      items: lines,
    };
  }

  /** After the commit. A lost publish is logged: the order stands, and consumers' figures expire by their TTLs. */
  private async publish(order: PlacedOrder): Promise<void> {
    const payload: OrderCreatedPayload = {
      orderId: order.orderId,
      userId: order.userId,
      totalCents: order.totalCents,
      createdAt: order.createdAt,
      items: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
    };
    try {
      await this.events.publish<OrderCreatedPayload>(EVENT_STREAMS.orders, { type: ORDER_CREATED, occurredAt: order.createdAt, payload });
    } catch (error) {
      this.logger.warn(`could not publish ${ORDER_CREATED} for order ${order.orderId}: ${(error as Error).message}`);
    }
  }
}
