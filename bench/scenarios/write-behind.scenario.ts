import type { WriteBehindStats } from '@app/caching';
import type { BenchContext } from '../support/bench-context.js';
import type { BenchProcess } from '../support/bench-process.js';
import { fixedRate, maxThroughput } from '../support/load.js';
import { fmt, fmtSpread, interleaved, pairRatios, spread } from '../support/stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const PRODUCTS_SPREAD = 1_000;

async function caughtUp(app: BenchProcess): Promise<boolean> {
  const { status, text } = await app.get('/bench/wb/stats');
  if (status !== 200) return false; // the consumer group is not there yet
  const stats = JSON.parse(text) as WriteBehindStats;
  return stats.lagMs === 0 && stats.pending === 0 && stats.undelivered === 0;
}

/** Milliseconds until the queue is drained (polled every 20 ms), or the timeout. */
async function drainMs(app: BenchProcess, timeoutMs: number): Promise<number> {
  const startedAt = performance.now();
  while (!(await caughtUp(app))) {
    if (performance.now() - startedAt > timeoutMs) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - startedAt;
}

/**
 * 8. Write-behind view counts (XADD to a Redis Stream, batched flush) against the synchronous
 * `UPDATE ... SET views = views + 1` per request. Counts come from the server: 2xx answers,
 * `db_queries_total{operation="update"}`, `write_behind_entries_flushed_total`, and the sum of
 * `views` in the database before and after.
 */
export const writeBehindScenario: Scenario = {
  id: 'write-behind',
  title: '8. Write-behind vs synchronous UPDATE',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const redis = await context.redis();
    // Started by hand once the app is healthy: at boot the consumer can race the Redis connection and retry 5 s later.
    const app = await context.app('bench-app-write-behind', redis, { BENCH_WRITE_BEHIND: 'paused' });
    if ((await app.post('/bench/wb/start')) !== 204) throw new Error('could not start the consumer');
    if (!Number.isFinite(await drainMs(app, 30_000))) throw new Error(`write-behind consumer did not come up\n${app.log.slice(-2_000)}`);
    const { count } = await app.json<{ count: number }>('/bench/products/count');
    const spreadOver = Math.min(PRODUCTS_SPREAD, count);
    let next = 0;
    // The bench app's routes under /wb and /sync; the catalog service's own at the root.
    const path = (route: 'wb' | 'sync' | 'catalog') => () => `${route === 'catalog' ? '' : `/${route}`}/products/${1 + ((next++ * 7919) % spreadOver)}/views`;
    const viewsBefore = await app.json<{ views: number }>('/bench/products/views');
    let accepted = 0;

    for (const route of ['wb', 'sync'] as const) {
      accepted += (await maxThroughput(app.url, { path: path(route), method: 'POST', connections: s.connections, durationS: s.warmupS })).ok;
    }
    await drainMs(app, 30_000);
    const drainAfterBurst: number[] = [];
    const runs = await interleaved(['wb', 'sync'] as const, s.rounds, async (route) => {
      const result = await maxThroughput(app.url, { path: path(route), method: 'POST', connections: s.connections, durationS: s.roundS });
      accepted += result.ok;
      if (route === 'wb') drainAfterBurst.push(await drainMs(app, 30_000));
      return result;
    });
    const wbRps = runs.wb.map((r) => r.rps);
    const syncRps = runs.sync.map((r) => r.rps);
    const accepting = pairRatios(wbRps, syncRps);

    // Steady load well under capacity, then stop: how long until nothing is waiting.
    const steadyRate = Math.max(50, Math.round(spread(syncRps).median / 2));
    const lagAfterSteady: number[] = [];
    for (let round = 0; round < Math.min(3, s.rounds); round++) {
      accepted += (await fixedRate(app.url, { path: path('wb'), method: 'POST', rate: steadyRate, connections: 16, durationS: s.roundS })).ok;
      lagAfterSteady.push(await drainMs(app, 30_000));
    }
    const applied = async (server: BenchProcess) =>
      (await server.counter('db_queries_total', { operation: 'update', table: 'catalog.products' })) -
      (await server.counter('write_behind_batches_total', { outcome: 'committed' })) +
      (await server.counter('write_behind_entries_flushed_total'));
    let serverApplied = await applied(app);
    // Flusher capacity: with this process stopped (drained), a second one whose consumer has not started
    // accepts a backlog; then its consumer starts and the drain is timed.
    await app.stop();
    const paused = await context.app('bench-app-write-behind-paused', redis, { BENCH_WRITE_BEHIND: 'paused' });
    // Twice a round: the consumer's start (group, own pending, first claim) is then a small share of the drain.
    const backlogS = 2 * s.roundS;
    const backlog = await maxThroughput(paused.url, { path: path('wb'), method: 'POST', connections: s.connections, durationS: backlogS });
    accepted += backlog.ok;
    const flushedBefore = await paused.counter('write_behind_entries_flushed_total');
    const flushSecondsBefore = await paused.counter('write_behind_flush_duration_seconds_sum');
    const drainStartedAt = performance.now();
    if ((await paused.post('/bench/wb/start')) !== 204) throw new Error('could not start the paused consumer');
    if (!Number.isFinite(await drainMs(paused, 120_000))) throw new Error('the backlog did not drain within 120 s');
    const backlogDrainMs = performance.now() - drainStartedAt;
    const flushed = (await paused.counter('write_behind_entries_flushed_total')) - flushedBefore;
    const flushSeconds = (await paused.counter('write_behind_flush_duration_seconds_sum')) - flushSecondsBefore;
    const flusherRowsPerS = (flushed * 1_000) / backlogDrainMs;
    const perRowUpdatesPerS = spread(syncRps).median;
    const flusherRatio = flusherRowsPerS / perRowUpdatesPerS;
    const viewsAfter = await paused.json<{ views: number }>('/bench/products/views');
    serverApplied += await applied(paused);
    const lost = serverApplied - (viewsAfter.views - viewsBefore.views);
    const lag = spread(lagAfterSteady);

    // The catalog service's own POST /products/:id/views (view count, trending and unique visitors in one
    // round trip, then write-behind), against the same synchronous UPDATE route.
    const catalog = await context.service('catalog', redis);
    // Warmed up as the bench routes were: a fresh process has neither compiled code nor its existence memo yet.
    await maxThroughput(catalog.url, { path: path('catalog'), method: 'POST', connections: s.connections, durationS: s.warmupS });
    const catalogRuns = await interleaved(['catalog', 'sync'] as const, s.rounds, (variant) =>
      variant === 'catalog'
        ? maxThroughput(catalog.url, { path: path('catalog'), method: 'POST', connections: s.connections, durationS: s.roundS })
        : maxThroughput(paused.url, { path: path('sync'), method: 'POST', connections: s.connections, durationS: s.roundS }),
    );
    const catalogRps = catalogRuns.catalog.map((r) => r.rps);
    const catalogAccepting = pairRatios(catalogRps, catalogRuns.sync.map((r) => r.rps));
    const failed = [...runs.wb, ...runs.sync, backlog, ...catalogRuns.catalog, ...catalogRuns.sync].reduce((n, r) => n + r.failed, 0);

    return {
      id: this.id,
      title: this.title,
      method:
        `Bench app with the write-behind consumer (batch 5,000, flush interval 100 ms) on a private redis-server; views spread over ${spreadOver} products. ` +
        `Accepted writes/s: ${s.connections} connections, closed loop, ${s.rounds} interleaved rounds of ${s.roundS} s (write-behind 202, synchronous UPDATE 204). ` +
        `Lag: ${Math.min(3, s.rounds)} runs at a fixed ${steadyRate} views/s (half the synchronous capacity) for ${s.roundS} s, then the time until lag, pending and undelivered are all 0 (polled every 20 ms). ` +
        `Flusher capacity: that process stopped (drained), a second one whose consumer has not started accepts a ${backlogS} s backlog at full speed; ` +
        'its consumer starts and the entries it flushed (server counter) are divided by the time to drain. Per-row UPDATE/s is the synchronous route\'s median. ' +
        'The flusher folds a batch per product and applies it in one `UPDATE … FROM unnest(…)` in the same transaction as its idempotency ledger. ' +
        `Last, the catalog service's own view route (it also bumps trending and unique visitors) runs interleaved with the synchronous route, ${s.rounds} rounds.`,
      tables: [
        {
          columns: ['', 'median (min–max)'],
          rows: [
            ['write-behind accepted writes/s (202)', fmtSpread(spread(wbRps))],
            ['synchronous UPDATE writes/s (204)', fmtSpread(spread(syncRps))],
            ['accepted ÷ synchronous (median of pair ratios)', fmtSpread(accepting, '×')],
            ['catalog service POST /products/:id/views accepted/s (202)', fmtSpread(spread(catalogRps))],
            ['catalog accepted ÷ synchronous (its own interleaved pairs)', fmtSpread(catalogAccepting, '×')],
            ['flusher rows/s (backlog drain)', `${fmt(flusherRowsPerS)} (${flushed.toLocaleString('en-US')} rows in ${fmt(backlogDrainMs)} ms)`],
            ['flusher rows/s ÷ per-row UPDATE/s', `${fmt(flusherRatio)}×`],
            ['rows per second of flush transaction time (server histogram)', fmt(flushed / flushSeconds)],
            ['time to zero lag after a max-throughput round, ms', fmtSpread(spread(drainAfterBurst))],
            [`time to zero lag after steady ${steadyRate}/s, ms`, fmtSpread(lag)],
          ],
        },
      ],
      targets: [
        { target: 'accepted writes/s ÷ synchronous UPDATE ≥ 3× (bench route: XADD only)', measured: fmtSpread(accepting, '×'), met: accepting.median >= 3 },
        {
          target: 'accepted writes/s ÷ synchronous UPDATE ≥ 3× (catalog POST /products/:id/views)',
          measured: fmtSpread(catalogAccepting, '×'),
          met: catalogAccepting.median >= 3,
        },
        { target: 'flusher rows/s ÷ per-row updates ≥ 20×', measured: `${fmt(flusherRatio)}×`, met: flusherRatio >= 20 },
        { target: 'lag back to zero within 2 s after steady load', measured: `${fmt(lag.max)} ms (worst of ${lag.values.length})`, met: lag.max <= 2_000 },
      ],
      notes: [
        `Views the servers applied (synchronous UPDATEs + entries flushed): ` +
          `${serverApplied.toLocaleString('en-US')}; the database's sum of views grew by ${(viewsAfter.views - viewsBefore.views).toLocaleString('en-US')} ` +
          `(${lost === 0 ? 'none lost, none doubled' : `difference ${lost}`}). The client saw ${accepted.toLocaleString('en-US')} 2xx answers (requests still in flight when a run's clock stops are not counted by autocannon).`,
        ...(failed ? [`${failed} requests failed (non-2xx or errors).`] : []),
      ],
      chart: [
        { label: 'write-behind ÷ sync writes/s', ratio: accepting, target: { value: 3, direction: 'min' } },
        { label: 'catalog views ÷ sync writes/s', ratio: catalogAccepting, target: { value: 3, direction: 'min' } },
        { label: 'flusher rows/s ÷ per-row UPDATE/s', ratio: spread([flusherRatio]), target: { value: 20, direction: 'min' } },
      ],
      figures: { accepting, catalogAccepting, flusherRowsPerS, flusherRatio, drainAfterBurst, lagAfterSteady, lost, failed },
    };
  },
};
