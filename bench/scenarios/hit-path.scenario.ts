import type { BenchContext } from '../support/bench-context.js';
import { maxThroughput } from '../support/load.js';
import { fmt, fmtSpread, interleaved, pairRatios, spread } from '../support/stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const PATHS = { noop: '/noop', ours: '/ours/products/1', builtin: '/builtin/products/1', raw: '/raw/products/1' } as const;

/** 1. Requests/s of a cache hit through each interceptor, as a share of a route that does nothing. */
export const hitPathScenario: Scenario = {
  id: 'hit-path',
  title: '1. Hit path throughput ÷ a no-op route',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const redis = await context.redis();
    const app = await context.app('bench-app', redis);
    for (const path of Object.values(PATHS)) await app.get(path);
    const xCache = (await app.get(PATHS.ours)).headers.get('x-cache');
    const variants = ['noop', 'ours', 'builtin', 'raw'] as const;
    for (const variant of variants) await maxThroughput(app.url, { path: PATHS[variant], connections: s.connections, durationS: s.warmupS });

    const hitsBefore = await app.counter('cache_reads_total', { outcome: 'hit' });
    const runs = await interleaved(variants, s.rounds, (variant) =>
      maxThroughput(app.url, { path: PATHS[variant], connections: s.connections, durationS: s.roundS }),
    );
    const serverHits = (await app.counter('cache_reads_total', { outcome: 'hit' })) - hitsBefore;
    const rps = (variant: (typeof variants)[number]) => runs[variant].map((r) => r.rps);
    const ours = pairRatios(rps('ours'), rps('noop'));
    const builtin = pairRatios(rps('builtin'), rps('noop'));
    const raw = pairRatios(rps('raw'), rps('noop'));
    const ratios = { noop: undefined, ours, builtin, raw };
    const labels = {
      noop: 'no-op route',
      ours: 'HttpCacheInterceptor hit',
      builtin: '@nestjs/cache-manager CacheInterceptor hit',
      raw: 'handler with one bare ioredis GET (reference)',
    };
    const failed = variants.reduce((sum, v) => sum + runs[v].reduce((n, r) => n + r.failed, 0), 0);
    const oursOk = runs.ours.reduce((n, r) => n + r.ok, 0);

    return {
      id: this.id,
      title: this.title,
      method:
        `One bench app process (Fastify, the services' adapter) on a private redis-server; ${s.connections} connections, ` +
        `closed loop, ${s.rounds} interleaved rounds of ${s.roundS} s per route (no-op, ours, built-in, bare GET) after a ${s.warmupS} s warm-up. ` +
        'The no-op route returns a constant object of the same shape; the cached routes read product 1 (warm). ' +
        'The bare-GET handler is the floor of any Redis-backed cache: one round trip and nothing else.',
      tables: [
        {
          columns: ['route', 'requests/s, median (min–max)', 'p99 ms (median)', '÷ no-op, median of pair ratios (min–max)'],
          rows: variants.map((variant) => [
            labels[variant],
            fmtSpread(spread(rps(variant))),
            fmt(spread(runs[variant].map((r) => r.p99Ms)).median),
            ratios[variant] ? fmtSpread(ratios[variant]) : '1',
          ]),
        },
      ],
      targets: [{ target: 'our hit ÷ no-op ≥ 0.80', measured: fmtSpread(ours), met: ours.median >= 0.8 }],
      notes: [
        `A handler that does nothing but one ioredis GET reaches ${fmt(raw.median)} of the no-op route here: that share is the cost of a Redis round trip on this machine, before any cache logic.`,
        `X-Cache on our route: ${xCache}; the server counted ${serverHits.toLocaleString('en-US')} hits for ${oursOk.toLocaleString('en-US')} 2xx answers of ours.`,
        ...(failed ? [`${failed} requests failed (non-2xx or errors).`] : []),
      ],
      chart: [
        { label: 'ours hit ÷ no-op', ratio: ours, target: { value: 0.8, direction: 'min' } },
        { label: 'built-in hit ÷ no-op', ratio: builtin },
        { label: 'bare GET ÷ no-op', ratio: raw },
      ],
      figures: { oursOverNoop: ours, builtinOverNoop: builtin, rawOverNoop: raw, serverHits, oursOk, failed },
    };
  },
};
