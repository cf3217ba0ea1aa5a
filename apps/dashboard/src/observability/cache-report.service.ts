import { Injectable } from '@nestjs/common';
import { CacheMetrics } from '@app/caching';
import { type PeerName, PeerClient } from '../peers/peer.client.js';
import type { CacheReport, ServiceReport } from './cache-report.types.js';
import { cacheWarnings } from './cache.warnings.js';
import { parsePrometheusText } from './prometheus-text.parser.js';
import { RedisInspector } from './redis.inspector.js';
import { emptyFigures, summarizeServiceMetrics } from './service-metrics.summary.js';

const PEERS: PeerName[] = ['users', 'catalog'];

/**
 * Builds `/cache`: every service's cache figures (from its `/metrics`; the dashboard's own
 * from its registry), Redis INFO, streams and warnings. Each part fails on its own: a
 * service or Redis that is down is reported as down, and the rest still answers.
 */
@Injectable()
export class CacheReportService {
  constructor(
    private readonly peers: PeerClient,
    private readonly redis: RedisInspector,
    private readonly metrics: CacheMetrics,
  ) {}

  async report(): Promise<CacheReport> {
    const [services, redis, streams] = await Promise.all([
      Promise.all([...PEERS.map((peer) => this.peerReport(peer)), this.ownReport()]),
      this.redis.inspect(),
      this.redis.streams(),
    ]);
    const report = { generatedAt: new Date().toISOString(), services, redis, streams };
    return { ...report, warnings: cacheWarnings(report) };
  }

  private async peerReport(peer: PeerName): Promise<ServiceReport> {
    const url = this.peers.urlOf(peer);
    try {
      const response = await this.peers.request(peer, '/metrics');
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return { service: peer, url, up: true, ...summarizeServiceMetrics(parsePrometheusText(response.text)) };
    } catch (error) {
      return { service: peer, url, up: false, error: (error as Error).message, ...emptyFigures() };
    }
  }

  private async ownReport(): Promise<ServiceReport> {
    const text = await this.metrics.registry.metrics();
    return { service: 'dashboard', url: 'self', up: true, ...summarizeServiceMetrics(parsePrometheusText(text)) };
  }
}
