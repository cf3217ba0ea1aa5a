import type { BenchContext } from '../support/bench-context.js';
import { burst } from '../support/load.js';
import { interleaved, spread } from '../support/stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const PRODUCT_SELECTS = { operation: 'select', table: 'catalog.products' };

/** 5. A cold key hit by N concurrent requests split over two processes: database queries, counted by the servers. */
export const stampedeScenario: Scenario = {
  id: 'stampede',
  title: '5. Stampede across two processes',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const redis = await context.redis();
    const apps = [await context.app('bench-app-a', redis), await context.app('bench-app-b', redis)];
    const { count } = await apps[0].json<{ count: number }>('/bench/products/count');
    const rounds = Math.min(s.rounds, 5);
    if (count < rounds * 2) throw new Error(`stampede needs ${rounds * 2} products, the seed has ${count}`);
    const queries = async () => (await Promise.all(apps.map((app) => app.counter('db_queries_total', PRODUCT_SELECTS)))).reduce((a, b) => a + b, 0);
    const fills = async () => (await Promise.all(apps.map((app) => app.counter('cache_fills_total')))).reduce((a, b) => a + b, 0);

    const half = Math.floor(s.stampede / 2);
    let failed = 0;
    let nextId = 1;
    const runs = await interleaved(['ours', 'builtin'] as const, rounds, async (variant) => {
      const path = `/${variant}/products/${nextId++}`;
      const [queriesBefore, fillsBefore] = [await queries(), await fills()];
      const results = await Promise.all(apps.map((app) => burst(app.url, path, half)));
      failed += results.reduce((n, r) => n + r.failed, 0);
      return { queries: (await queries()) - queriesBefore, fills: (await fills()) - fillsBefore };
    });
    const ours = runs.ours.map((r) => r.queries);
    const builtin = runs.builtin.map((r) => r.queries);
    return {
      id: this.id,
      title: this.title,
      method:
        `Two bench app processes on one private redis-server and one database. Each round, ${half} requests to each process at once ` +
        `(${half * 2} connections, one request each) for a product never read before; ${rounds} interleaved rounds per interceptor. ` +
        'Database queries are `db_queries_total{operation="select",table="catalog.products"}` from both servers\' /metrics.',
      tables: [
        {
          columns: ['interceptor', 'DB queries per cold burst (each round)', 'median'],
          rows: [
            ['HttpCacheInterceptor (lock: true)', ours.join(', '), String(spread(ours).median)],
            ['@nestjs/cache-manager CacheInterceptor', builtin.join(', '), String(spread(builtin).median)],
          ],
        },
      ],
      targets: [
        { target: `ours: 1 DB query for ${half * 2} cold requests over two processes`, measured: ours.join(', '), met: ours.every((q) => q === 1) },
        { target: 'built-in interceptor: reported beside', measured: builtin.join(', '), met: null },
      ],
      notes: [
        `Factory runs counted by our servers (cache_fills_total): ${runs.ours.map((r) => r.fills).join(', ')}.`,
        ...(failed ? [`${failed} requests failed (non-2xx or errors).`] : []),
      ],
      chart: [],
      figures: { oursQueries: ours, builtinQueries: builtin, failed },
    };
  },
};
