import { Redis } from 'ioredis';
import type { RedisServer } from '../../test/support/redis-server.js';
import type { BenchContext } from '../support/bench-context.js';
import type { BenchProcess } from '../support/bench-process.js';
import type { Scenario, ScenarioResult } from './scenario.js';

// Our own reads of the counters; never part of a request.
const NOT_COUNTED = new Set(['info', 'config', 'ping', 'client', 'hello', 'command', 'monitor']);

/** Commands the server ran since the last CONFIG RESETSTAT, by name (from INFO commandstats). */
async function commandStats(redis: RedisServer): Promise<Map<string, number>> {
  const text = String(await redis.command('INFO', 'commandstats'));
  const stats = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (!NOT_COUNTED.has(match[1].split('|')[0])) stats.set(match[1], Number(match[2]));
  }
  return stats;
}

interface CommandCount {
  /** What Redis executed (INFO commandstats), Lua-internal commands included. */
  executed: number;
  /** What the app sent over its connection (MONITOR, Lua-internal commands left out). */
  sent: number;
  breakdown: string;
}

async function measure(redis: RedisServer, app: BenchProcess, paths: string[]): Promise<CommandCount> {
  await redis.command('CONFIG', 'RESETSTAT');
  // From a client that never connects itself: monitor() opens the only connection. A second live
  // connection's ready-check INFO could land between MONITOR's OK and ioredis entering monitor
  // mode, and the reply stream then fails with "Command queue state error" (seen once in CI).
  const monitor = await new Redis({ host: redis.host, port: redis.port, lazyConnect: true }).monitor();
  let sent = 0;
  const sentByName = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const name = String(args[0]).toLowerCase();
    if (source === 'lua' || NOT_COUNTED.has(name)) return;
    sent++;
    sentByName.set(name, (sentByName.get(name) ?? 0) + 1);
  });
  for (const path of paths) {
    const { status } = await app.get(path);
    if (status !== 200) throw new Error(`GET ${path}: ${status}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the last MONITOR lines arrive
  monitor.disconnect();
  const stats = await commandStats(redis);
  const executed = [...stats.values()].reduce((a, b) => a + b, 0);
  const per = (n: number) => +(n / paths.length).toFixed(2);
  const breakdown =
    `sent: ${[...sentByName].map(([name, calls]) => `${name} ${per(calls)}`).join(', ')}; ` +
    `executed: ${[...stats].map(([name, calls]) => `${name} ${per(calls)}`).join(', ')}`;
  return { executed: executed / paths.length, sent: sent / paths.length, breakdown };
}

/**
 * 7. Redis commands per hit and per miss, counted by a private redis-server (INFO commandstats),
 * which only this bench app talks to. Commands run inside Lua scripts count too: the number
 * is what Redis executed, not only what crossed the network.
 */
export const commandsScenario: Scenario = {
  id: 'commands',
  title: '7. Redis commands per hit and per miss',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const redis = await context.redis();
    const app = await context.app('bench-app', redis);
    const { count } = await app.json<{ count: number }>('/bench/products/count');
    const n = Math.min(context.settings.mode === 'smoke' ? 5 : 200, Math.floor((count - 3) / 3));
    const ids = (offset: number) => Array.from({ length: n }, (_, i) => 4 + offset * n + i);
    // Load the Lua scripts (EVALSHA falls back to EVAL once) and warm product 1 on every route.
    for (const route of ['ours', 'ours-nolock', 'builtin']) {
      await app.get(`/${route}/products/1`);
      await app.get(`/${route}/products/${route === 'ours' ? 2 : 3}`);
    }
    const rows: ({ label: string } & CommandCount)[] = [];
    const add = async (label: string, paths: string[]) => rows.push({ label, ...(await measure(redis, app, paths)) });
    await add('ours, hit', Array.from({ length: n }, () => '/ours/products/1'));
    await add('ours, miss (no lock)', ids(0).map((id) => `/ours-nolock/products/${id}`));
    await add('ours, miss (lock: true)', ids(1).map((id) => `/ours/products/${id}`));
    await add('built-in CacheInterceptor, hit', Array.from({ length: n }, () => '/builtin/products/1'));
    await add('built-in CacheInterceptor, miss', ids(2).map((id) => `/builtin/products/${id}`));
    const [hit, missNoLock, missLock] = rows;
    return {
      id: this.id,
      title: this.title,
      method:
        `Bench app alone on a fresh private redis-server; CONFIG RESETSTAT, then ${n} sequential requests of one kind, then INFO commandstats ` +
        '(our own INFO/CONFIG excluded) for what Redis executed, and MONITOR for what the app sent (a Lua script is one command sent; ' +
        'the commands it runs inside count as executed). Misses read products never read before on that route.',
      tables: [
        {
          columns: ['requests', 'commands sent per request (round trips)', 'commands executed per request (incl. inside Lua)', 'by command, per request'],
          rows: rows.map((r) => [r.label, String(+r.sent.toFixed(2)), String(+r.executed.toFixed(2)), r.breakdown]),
        },
      ],
      targets: [
        { target: 'commands per hit = 1', measured: `${+hit.sent.toFixed(2)} sent, ${+hit.executed.toFixed(2)} executed`, met: hit.sent === 1 && hit.executed === 1 },
        {
          target: 'commands per miss ≤ 4 (no lock)',
          measured: `${+missNoLock.sent.toFixed(2)} sent, ${+missNoLock.executed.toFixed(2)} executed`,
          met: missNoLock.executed <= 4,
        },
        {
          target: 'commands per miss with the cross-process lock: reported',
          measured: `${+missLock.sent.toFixed(2)} sent, ${+missLock.executed.toFixed(2)} executed`,
          met: null,
        },
      ],
      notes: [],
      chart: [],
      figures: Object.fromEntries(rows.flatMap((r) => [[`${r.label} sent`, r.sent], [`${r.label} executed`, r.executed]])),
    };
  },
};
