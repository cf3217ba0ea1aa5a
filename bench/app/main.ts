import 'reflect-metadata';
import { createServiceApp, parseEnv } from '@app/platform';
import { BenchAppModule } from './bench-app.module.js';

// The bench app reads the catalog's environment (PORT, DATABASE_URL, REDIS_URL or
// REDIS_CLUSTER_NODES, CACHE_PREFIX) plus BENCH_WRITE_BEHIND.
const config = parseEnv(process.env, 'catalog');
const app = await createServiceApp(
  BenchAppModule.forRoot({
    writeBehind: (['on', 'paused'] as const).find((mode) => mode === process.env.BENCH_WRITE_BEHIND) ?? 'off',
  }),
  { adapter: config.httpAdapter, title: 'bench app', logger: ['error', 'warn'] },
);
await app.listen(config.port, config.host);
