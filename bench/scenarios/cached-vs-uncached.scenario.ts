import type { BenchContext } from '../support/bench-context.js';
import type { BenchProcess } from '../support/bench-process.js';
import { maxThroughput } from '../support/load.js';
import { fmt, fmtSpread, interleaved, pairRatios, spread } from '../support/stats.js';
import type { ChartBar, ResultTable, Scenario, ScenarioResult, TargetCheck } from './scenario.js';

const WARM_PRODUCTS = 100;

/**
 * 2. What the cache buys on the real services: the dashboard's `/stats` (a real aggregate over
 * the seeded volume) and the catalog's `GET /products/:id`, each against the same query uncached.
 */
export const cachedVsUncachedScenario: Scenario = {
  id: 'cached-vs-uncached',
  title: '2. Cached ÷ uncached throughput on the services',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const redis = await context.redis();
    const dashboard = await context.service('dashboard', redis);
    const catalog = await context.service('catalog', redis);
    // The uncached side gets the dashboard's own statement timeout: the other services' 1.5 s would cut /stats short.
    const plain = await context.app('bench-app', redis, { DATABASE_STATEMENT_TIMEOUT_MS: '10000' });
    const { count } = await plain.json<{ count: number }>('/bench/products/count');
    const ids = Math.min(WARM_PRODUCTS, count);
    let next = 0;
    const productPath = (prefix: string) => () => `${prefix}/products/${1 + (next++ % ids)}`;
    for (let id = 1; id <= ids; id++) await catalog.get(`/products/${id}`);
    await dashboard.get('/stats');
    const stats = await dashboard.get('/stats');
    const product = await catalog.get('/products/1');
    const sample = await plain.json<{ computeMs: number }>('/plain/stats');

    const tables: ResultTable[] = [];
    const targets: TargetCheck[] = [];
    const chart: ChartBar[] = [];
    const figures: ScenarioResult['figures'] = { statsComputeMs: sample.computeMs };
    const notes = [`X-Cache: dashboard /stats ${stats.headers.get('x-cache')}, catalog /products/1 ${product.headers.get('x-cache')}.`];
    const pairs: { name: string; label: string; cached: [BenchProcess, string | (() => string)]; uncached: [BenchProcess, string | (() => string)]; target?: number }[] = [
      {
        name: 'stats',
        label: 'dashboard GET /stats',
        cached: [dashboard, '/stats'],
        uncached: [plain, '/plain/stats'],
        target: 50,
      },
      { name: 'product', label: 'catalog GET /products/:id', cached: [catalog, productPath('')], uncached: [plain, productPath('/plain')] },
    ];
    for (const pair of pairs) {
      for (const [server, path] of [pair.cached, pair.uncached]) await maxThroughput(server.url, { path, connections: s.connections, durationS: s.warmupS });
      const runs = await interleaved(['cached', 'uncached'] as const, s.rounds, (variant) => {
        const [server, path] = pair[variant];
        return maxThroughput(server.url, { path, connections: s.connections, durationS: s.roundS });
      });
      const cached = runs.cached.map((r) => r.rps);
      const uncached = runs.uncached.map((r) => r.rps);
      // A round in which no uncached request completed bounds its ratio from below, as if one had.
      const emptyRounds = uncached.filter((rps) => rps === 0).length;
      const ratio = pairRatios(cached, uncached.map((rps) => Math.max(rps, 1 / s.roundS)));
      const measured = `${emptyRounds ? '≥ ' : ''}${fmtSpread(ratio, '×')}`;
      if (emptyRounds) notes.push(`${pair.label}: ${emptyRounds} of ${s.rounds} uncached rounds completed no request; their ratios are lower bounds (one request per round).`);
      tables.push({
        caption: pair.label,
        columns: ['', 'requests/s, median (min–max)', 'p50 ms', 'p99 ms'],
        rows: [
          [`cached: the ${pair.cached[0].name} service`, fmtSpread(spread(cached)), fmt(spread(runs.cached.map((r) => r.p50Ms)).median), fmt(spread(runs.cached.map((r) => r.p99Ms)).median)],
          ['uncached: the same query, no cache (bench app)', fmtSpread(spread(uncached)), fmt(spread(runs.uncached.map((r) => r.p50Ms)).median), fmt(spread(runs.uncached.map((r) => r.p99Ms)).median)],
          ['cached ÷ uncached (median of pair ratios)', measured, '', ''],
        ],
      });
      figures[`${pair.name}Ratio`] = ratio;
      figures[`${pair.name}Failed`] = [...runs.cached, ...runs.uncached].reduce((n, r) => n + r.failed, 0);
      chart.push({ label: `${pair.name}: cached ÷ uncached`, ratio, target: pair.target ? { value: pair.target, direction: 'min' } : undefined });
      targets.push(
        pair.target
          ? { target: `cached ÷ uncached on ${pair.label} ≥ ${pair.target}×`, measured, met: ratio.median >= pair.target }
          : { target: `cached ÷ uncached on ${pair.label}: reported`, measured, met: null },
      );
    }
    return {
      id: this.id,
      title: this.title,
      method:
        `The dashboard and catalog services as real processes, and the bench app for the uncached side, on one private redis-server and this run's ` +
        `seeded database; ${s.connections} connections, closed loop, ${s.rounds} interleaved rounds of ${s.roundS} s (cached, uncached). ` +
        `The uncached /stats runs the dashboard's own StatsQuery (users, orders today, revenue month-to-date, best sellers over every order line; under the dashboard's statement timeout, 10 s; ` +
        `${sample.computeMs} ms alone); the uncached product is the same primary-key read. Products cycle over ${ids} ids, all warm on the cached side.`,
      tables,
      targets,
      notes,
      chart,
      figures,
    };
  },
};
