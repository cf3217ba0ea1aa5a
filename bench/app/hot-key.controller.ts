import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { CacheEngine } from '@app/caching';
import { type RecentSales, SalesAggregate } from './sales.aggregate.js';

/** One factory run, as the server saw it (epoch ms). */
export interface FillRecord {
  route: 'xfetch' | 'plain';
  startedAtMs: number;
  finishedAtMs: number;
}

/**
 * One hot key with a short TTL over a real aggregate (orders and revenue of the last 30 days), with XFetch (`/hot/xfetch`) and
 * without (`/hot/plain`, the control). Every factory run is logged here, so the
 * benchmark counts recomputes and finds expiry instants from the server's own record.
 */
@Controller()
export class HotKeyController {
  private readonly fills: FillRecord[] = [];

  constructor(
    private readonly engine: CacheEngine,
    private readonly sales: SalesAggregate,
  ) {}

  /** `ttlMs` is chosen by the benchmark from the measured factory time. */
  @Get('hot/xfetch')
  xfetch(@Query('ttlMs') ttlMs: string): Promise<RecentSales | null> {
    return this.read('xfetch', 1, ttlMs);
  }

  @Get('hot/plain')
  plain(@Query('ttlMs') ttlMs: string): Promise<RecentSales | null> {
    return this.read('plain', 0, ttlMs);
  }

  @Get('bench/fills')
  fillLog(): FillRecord[] {
    return this.fills;
  }

  private async read(route: FillRecord['route'], xfetchBeta: number, rawTtlMs: string): Promise<RecentSales | null> {
    const ttlMs = Number(rawTtlMs);
    if (!Number.isInteger(ttlMs) || ttlMs < 10) throw new BadRequestException('ttlMs must be an integer of at least 10');
    return this.engine.getOrSet(
      this.engine.keys.key('hot', route, 'sales-30d'),
      async () => {
        const startedAtMs = Date.now();
        const value = await this.sales.recentSales(30);
        this.fills.push({ route, startedAtMs, finishedAtMs: Date.now() });
        return value;
      },
      { ttlMs, xfetchBeta },
    );
  }
}
