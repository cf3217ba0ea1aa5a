import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  InjectWriteBehindConsumer,
  type WriteBehindConsumer,
  WriteBehindQueue,
  type WriteBehindStats,
} from '@app/caching';
import { ParseIdPipe } from '@app/platform';
import { BENCH_VIEWS_TOPIC } from './bench-app.options.js';

/** Write-behind views (accepted into a Redis Stream, flushed in batches), its figures, and a late start for the benchmark. */
@Controller()
export class WriteBehindController {
  constructor(
    private readonly queue: WriteBehindQueue,
    @InjectWriteBehindConsumer(BENCH_VIEWS_TOPIC) private readonly consumer: WriteBehindConsumer,
  ) {}

  @Post('wb/products/:id/views')
  @HttpCode(202)
  async view(@Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.queue.enqueue(BENCH_VIEWS_TOPIC, { productId: id });
  }

  @Get('bench/wb/stats')
  stats(): Promise<WriteBehindStats> {
    return this.consumer.stats();
  }

  @Post('bench/wb/start')
  @HttpCode(204)
  start(): Promise<void> {
    return this.consumer.start();
  }
}
