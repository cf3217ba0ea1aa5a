import type { BenchContext } from '../support/bench-context.js';
import { fixedRate } from '../support/load.js';
import { fmt, fmtSpread, interleaved, pairRatios, spread } from '../support/stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const PATHS = { ours: '/ours/products/1', builtin: '/builtin/products/1', raw: '/raw/products/1' } as const;

/** 3. Server CPU per cache hit, read from /proc/<pid>/stat of the server process, at the same fixed rate for each. */
export const cpuPerHitScenario: Scenario = {
  id: 'cpu-per-hit',
  title: '3. Server CPU per hit',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const s = context.settings;
    const redis = await context.redis();
    const app = await context.app('bench-app', redis);
    const variants = ['ours', 'builtin', 'raw'] as const;
    for (const variant of variants) {
      await app.get(PATHS[variant]);
      await fixedRate(app.url, { path: PATHS[variant], rate: s.cpuRate, connections: 16, durationS: s.warmupS });
    }
    const runs = await interleaved(variants, s.rounds, async (variant) => {
      const before = await app.cpuMs();
      const load = await fixedRate(app.url, { path: PATHS[variant], rate: s.cpuRate, connections: 16, durationS: s.roundS });
      const cpuMs = (await app.cpuMs()) - before;
      return { usPerRequest: (cpuMs * 1_000) / Math.max(1, load.ok), load };
    });
    const us = (variant: (typeof variants)[number]) => runs[variant].map((r) => r.usPerRequest);
    const overBuiltin = pairRatios(us('ours'), us('builtin'));
    const overRaw = pairRatios(us('ours'), us('raw'));
    const label = { ours: 'HttpCacheInterceptor', builtin: '@nestjs/cache-manager CacheInterceptor', raw: 'handler with one bare ioredis GET' };
    return {
      id: this.id,
      title: this.title,
      method:
        `Bench app on a private redis-server; each route at a fixed ${s.cpuRate} requests/s (autocannon overallRate, 16 connections) ` +
        `for ${s.roundS} s, ${s.rounds} interleaved rounds; CPU = utime + stime of the server process from /proc/<pid>/stat ` +
        '(all threads), divided by the 2xx answers of the round. All three serve product 1 from Redis.',
      tables: [
        {
          columns: ['route (hit)', 'server CPU µs per request, median (min–max)', 'p99 ms at that rate (median)'],
          rows: variants.map((v) => [label[v], fmtSpread(spread(us(v))), fmt(spread(runs[v].map((r) => r.load.p99Ms)).median)]),
        },
      ],
      targets: [
        { target: 'ours ÷ built-in CacheInterceptor ≤ 1.0', measured: fmtSpread(overBuiltin), met: overBuiltin.median <= 1.0 },
        { target: 'ours ÷ bare ioredis GET handler ≤ 1.15', measured: fmtSpread(overRaw), met: overRaw.median <= 1.15 },
      ],
      notes: [
        'The clock-tick resolution of /proc is 10 ms; a round spends seconds of CPU, so it is below 1 % of the figure.',
      ],
      chart: [
        { label: 'CPU/hit ours ÷ built-in', ratio: overBuiltin, target: { value: 1.0, direction: 'max' } },
        { label: 'CPU/hit ours ÷ bare GET', ratio: overRaw, target: { value: 1.15, direction: 'max' } },
      ],
      figures: {
        oursUs: spread(us('ours')),
        builtinUs: spread(us('builtin')),
        rawUs: spread(us('raw')),
        oursOverBuiltin: overBuiltin,
        oursOverRaw: overRaw,
        failed: variants.reduce((n, v) => n + runs[v].reduce((m, r) => m + r.load.failed, 0), 0),
      },
    };
  },
};
