import type { BenchContext } from '../support/bench-context.js';
import { maxThroughput } from '../support/load.js';
import { fmt, fmtSpread, interleaved, pairRatios, spread } from '../support/stats.js';
import type { ChartBar, ResultTable, Scenario, ScenarioResult, TargetCheck } from './scenario.js';

const WARM_PRODUCTS = 100;

/** 2. What the cache buys on a real aggregate (the dashboard's /stats) and on a primary-key read (catalog's product). */
export const cachedVsUncachedScenario: Scenario = {
  id: 'cached-vs-uncached',
  title: '2. Cached ÷ uncached throughput',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const redis = await context.redis();
    const app = await context.app('bench-app', redis);
    const { count } = await app.json<{ count: number }>('/bench/products/count');
    const ids = Math.min(WARM_PRODUCTS, count);
    let next = 0;
    const productPath = (prefix: string) => () => `${prefix}/products/${1 + (next++ % ids)}`;
    for (let id = 1; id <= ids; id++) await app.get(`/ours/products/${id}`);
    await app.get('/ours/stats');
    const sample = await app.json<{ computeMs: number }>('/plain/stats');

    const tables: ResultTable[] = [];
    const targets: TargetCheck[] = [];
    const chart: ChartBar[] = [];
    const figures: ScenarioResult['figures'] = { statsComputeMs: sample.computeMs };
    const pairs = [
      { name: 'stats', label: 'dashboard aggregate /stats', cached: '/ours/stats', uncached: '/plain/stats', target: 50 },
      { name: 'product', label: 'product by id', cached: productPath('/ours'), uncached: productPath('/plain'), target: undefined },
    ];
    for (const pair of pairs) {
      for (const path of [pair.cached, pair.uncached]) await maxThroughput(app.url, { path, connections: s.connections, durationS: s.warmupS });
      const runs = await interleaved(['cached', 'uncached'] as const, s.rounds, (variant) =>
        maxThroughput(app.url, { path: pair[variant], connections: s.connections, durationS: s.roundS }),
      );
      const cached = runs.cached.map((r) => r.rps);
      const uncached = runs.uncached.map((r) => r.rps);
      const ratio = pairRatios(cached, uncached);
      tables.push({
        caption: pair.label,
        columns: ['', 'requests/s, median (min–max)', 'p50 ms', 'p99 ms'],
        rows: [
          ['cached (HttpCacheInterceptor, hits)', fmtSpread(spread(cached)), fmt(spread(runs.cached.map((r) => r.p50Ms)).median), fmt(spread(runs.cached.map((r) => r.p99Ms)).median)],
          ['uncached (same handler, no cache)', fmtSpread(spread(uncached)), fmt(spread(runs.uncached.map((r) => r.p50Ms)).median), fmt(spread(runs.uncached.map((r) => r.p99Ms)).median)],
          ['cached ÷ uncached (median of pair ratios)', fmtSpread(ratio, '×'), '', ''],
        ],
      });
      figures[`${pair.name}Ratio`] = ratio;
      figures[`${pair.name}Failed`] = [...runs.cached, ...runs.uncached].reduce((n, r) => n + r.failed, 0);
      chart.push({ label: `${pair.name}: cached ÷ uncached`, ratio, target: pair.target ? { value: pair.target, direction: 'min' } : undefined });
      targets.push(
        pair.target
          ? { target: `cached ÷ uncached on ${pair.label} ≥ ${pair.target}×`, measured: fmtSpread(ratio, '×'), met: ratio.median >= pair.target }
          : { target: `cached ÷ uncached on ${pair.label}: reported`, measured: fmtSpread(ratio, '×'), met: null },
      );
    }
    return {
      id: this.id,
      title: this.title,
      method:
        `Bench app on a private redis-server and this run's seeded database; ${s.connections} connections, closed loop, ` +
        `${s.rounds} interleaved rounds of ${s.roundS} s (cached, uncached). /stats runs the dashboard's four aggregates ` +
        `(users, orders today, revenue month-to-date, best sellers over every order line; ${sample.computeMs} ms alone); ` +
        `the product read cycles over ${ids} product ids, all warm on the cached side.`,
      tables,
      targets,
      notes: [],
      chart,
      figures,
    };
  },
};
