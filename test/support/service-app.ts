import type { INestApplication } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core/nest-factory.js';
import { REDIS_CLIENT, type RedisClient } from '@app/caching';
import { createServiceApp, type HttpAdapterName } from '@app/platform';
import { fileKeyPrefix } from './key-prefix.js';

export interface RunningApp {
  app: INestApplication;
  url: string;
  keyPrefix: string;
  close(): Promise<void>;
}

/**
 * A service's real Nest app in this process, on a free port, configured exactly as `main.ts`
 * does (validation, error mapping, adapter), on the run's database and a key prefix of its own.
 * `env` is applied to process.env before the app reads its config.
 */
export async function startServiceApp(
  rootModule: IEntryNestModule,
  options: { adapter?: HttpAdapterName; env?: Record<string, string> } = {},
): Promise<RunningApp> {
  const keyPrefix = options.env?.CACHE_PREFIX ?? fileKeyPrefix();
  Object.assign(process.env, { ...options.env, CACHE_PREFIX: keyPrefix });
  const app = await createServiceApp(rootModule, { adapter: options.adapter ?? 'fastify', title: 'test', logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  // Until the shared client is ready every cache call is a BYPASS; a cluster client needs its slot map first.
  const redis = app.get<RedisClient>(REDIS_CLIENT);
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url, keyPrefix, close: () => app.close() };
}

/** The value of one Prometheus sample in a `/metrics` text (0 when absent). */
export function metricValue(metricsText: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
