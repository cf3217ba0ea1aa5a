import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PeerClient } from '../peers/peer.client.js';
import { parsePrometheusText } from '../observability/prometheus-text.parser.js';
import type { PriceChangeDto, StampedeDto, WriteBehindBurstDto } from './playground.dto.js';

const BURST_CONCURRENCY = 50;
const CDC_WAIT_MS = 3_000;
const CDC_POLL_MS = 50;

const tally = (values: string[]) => values.reduce<Record<string, number>>((counts, v) => ({ ...counts, [v]: (counts[v] ?? 0) + 1 }), {});

/**
 * Drives the other services so the page shows the patterns at work. Bounded on purpose:
 * sizes are capped by the DTOs, one run at a time per dashboard (409 otherwise), every call
 * has a timeout, and the only write the dashboard itself makes is one product's price.
 */
@Injectable()
export class PlaygroundService {
  private busy = false;

  constructor(
    private readonly peers: PeerClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** `requests` concurrent reads of one product at catalog: how many did catalog's loader run? */
  stampede({ productId, requests }: StampedeDto) {
    return this.exclusive(async () => {
      const fillsBefore = await this.catalogFills();
      const startedAt = performance.now();
      const responses = await Promise.all(
        Array.from({ length: requests }, () => this.peers.request('catalog', `/products/${productId}`, { timeoutMs: 10_000 })),
      );
      return {
        requests,
        elapsedMs: Math.round(performance.now() - startedAt),
        statuses: tally(responses.map((r) => String(r.status))),
        xCache: tally(responses.map((r) => r.headers.get('x-cache') ?? 'none')),
        catalogFills: (await this.catalogFills()) - fillsBefore,
      };
    });
  }

  /** `views` product views at catalog: accepted at once (202), flushed to Postgres in batches by write-behind. */
  writeBehindBurst({ productId, views }: WriteBehindBurstDto) {
    return this.exclusive(async () => {
      const startedAt = performance.now();
      const statuses: string[] = [];
      for (let sent = 0; sent < views; sent += BURST_CONCURRENCY) {
        const batch = Array.from({ length: Math.min(BURST_CONCURRENCY, views - sent) }, (_, i) =>
          this.peers.request('catalog', `/products/${productId}/views`, { method: 'POST', body: { visitorId: `playground-${sent + i}` } }),
        );
        statuses.push(...(await Promise.all(batch)).map((r) => String(r.status)));
      }
      return { views, elapsedMs: Math.round(performance.now() - startedAt), statuses: tally(statuses) };
    });
  }

  /** A raw SQL UPDATE behind catalog's back: its CDC trigger must invalidate the cached product. */
  priceChange({ productId, priceCents }: PriceChangeDto) {
    return this.exclusive(async () => {
      const price = priceCents ?? 99 + 100 * Math.floor(Math.random() * 500);
      const rows = (await this.db.query(
        `UPDATE catalog.products SET price_cents = $2, updated_at = now() WHERE id = $1 RETURNING id`,
        [productId, price],
      )) as [unknown[], number];
      if (rows[1] === 0) throw new NotFoundException(`product ${productId} not found`);
      const startedAt = performance.now();
      let servedPriceCents: number | undefined;
      while (performance.now() - startedAt < CDC_WAIT_MS) {
        const response = await this.peers.request('catalog', `/products/${productId}`);
        servedPriceCents = (JSON.parse(response.text || 'null') as { priceCents?: number } | null)?.priceCents;
        if (servedPriceCents === price) break;
        await new Promise((resolve) => setTimeout(resolve, CDC_POLL_MS));
      }
      const fresh = servedPriceCents === price;
      return { productId, priceCents: price, catalogServesNewPrice: fresh, afterMs: fresh ? Math.round(performance.now() - startedAt) : null };
    });
  }

  private async catalogFills(): Promise<number> {
    const response = await this.peers.request('catalog', '/metrics');
    return parsePrometheusText(response.text)
      .filter((s) => s.name === 'cache_fills_total')
      .reduce((total, s) => total + s.value, 0);
  }

  private async exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new ConflictException('a playground run is already in progress; try again when it ends');
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }
}
