import { RedisCluster } from '../../test/support/redis-cluster.js';
import type { BenchContext } from '../support/bench-context.js';
import { maxThroughput } from '../support/load.js';
import { fmt, fmtSpread, interleaved, pairRatios, spread } from '../support/stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const PATH = '/ours/products/1';

/** 9. The same hit path on a private 3+3 Redis Cluster and on a single private node. */
export const clusterScenario: Scenario = {
  id: 'cluster',
  title: '9. Redis Cluster ÷ single node, hit path',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const single = await context.redis();
    const cluster = await RedisCluster.start();
    context.own({ stop: () => cluster.close() });
    const apps = {
      single: await context.app('bench-app-single', single),
      cluster: await context.app('bench-app-cluster', { clusterNodes: cluster.redisClusterNodes }),
    };
    for (const app of Object.values(apps)) {
      await app.get(PATH);
      const { headers } = await app.get(PATH);
      if (headers.get('x-cache') !== 'HIT') throw new Error(`${app.name}: expected a HIT, got ${headers.get('x-cache')}`);
      await maxThroughput(app.url, { path: PATH, connections: s.connections, durationS: s.warmupS });
    }
    const runs = await interleaved(['cluster', 'single'] as const, s.rounds, (name) =>
      maxThroughput(apps[name].url, { path: PATH, connections: s.connections, durationS: s.roundS }),
    );
    const ratio = pairRatios(runs.cluster.map((r) => r.rps), runs.single.map((r) => r.rps));
    return {
      id: this.id,
      title: this.title,
      method:
        `Two bench app processes, one on a private single redis-server, one on a private 3 masters + 3 replicas cluster (all on this machine); ` +
        `${s.connections} connections, closed loop, ${s.rounds} interleaved rounds of ${s.roundS} s on a warm product (one GET per hit on either).`,
      tables: [
        {
          columns: ['Redis', 'hit requests/s, median (min–max)', 'p99 ms (median)'],
          rows: [
            ['single node', fmtSpread(spread(runs.single.map((r) => r.rps))), fmt(spread(runs.single.map((r) => r.p99Ms)).median)],
            ['cluster (3+3)', fmtSpread(spread(runs.cluster.map((r) => r.rps))), fmt(spread(runs.cluster.map((r) => r.p99Ms)).median)],
            ['cluster ÷ single (median of pair ratios)', fmtSpread(ratio), ''],
          ],
        },
      ],
      targets: [{ target: 'cluster ÷ single node on the hit path: reported', measured: fmtSpread(ratio), met: null }],
      notes: ['All seven Redis processes share the same two cores with the services and the load generator: a cluster cannot spread load here, it can only add routing cost.'],
      chart: [{ label: 'cluster ÷ single (hit rps)', ratio }],
      figures: { clusterOverSingle: ratio, failed: [...runs.cluster, ...runs.single].reduce((n, r) => n + r.failed, 0) },
    };
  },
};
