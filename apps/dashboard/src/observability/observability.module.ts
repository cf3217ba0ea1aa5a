import { Module } from '@nestjs/common';
import { PeerClient } from '../peers/peer.client.js';
import { CacheReportController } from './cache-report.controller.js';
import { CacheReportService } from './cache-report.service.js';
import { RedisInfoMetrics } from './redis-info.metrics.js';
import { RedisInspector } from './redis.inspector.js';

@Module({
  controllers: [CacheReportController],
  providers: [PeerClient, RedisInspector, CacheReportService, RedisInfoMetrics],
  exports: [PeerClient],
})
export class ObservabilityModule {}
