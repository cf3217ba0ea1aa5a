import { ConfigValidationError } from '@app/platform';
import { describeSeedResult, seed } from './seed.js';
import { parseSeedScale, seedCounts, SeedScaleError } from './seed/seed.scale.js';
import { waitForHealthy } from './start-all/health.wait.js';
import { type ServicePlan, planServices } from './start-all/service.plan.js';
import { type ServiceProcess, startServiceProcess } from './start-all/service.process.js';

/**
 * `npm start`: migrate, seed an empty database (SEED_SCALE), start users, catalog and
 * dashboard (ports from USERS_PORT / CATALOG_PORT / DASHBOARD_PORT, else 3001-3003), wait
 * for each `/health`, print where they are. Ctrl-C stops them all; if one dies, all stop.
 */
const HEALTH_TIMEOUT_MS = 60_000;
const HEALTH_POLL_INTERVAL_MS = 500;
const HEALTH_PROBE_TIMEOUT_MS = 2_000;
const STOP_TIMEOUT_MS = 15_000;

let plans: ServicePlan[];
let scale: number;
try {
  plans = planServices(process.env);
  scale = parseSeedScale(process.env.SEED_SCALE);
} catch (error) {
  if (!(error instanceof ConfigValidationError || error instanceof SeedScaleError)) throw error;
  process.stderr.write(`start: ${error.message}\n`);
  process.exit(1);
}

const services: ServiceProcess[] = [];
let stopping = false;

async function stopAll(exitCode: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<never> {
  if (!stopping) {
    stopping = true;
    const running = services.filter((service) => service.running());
    if (running.length) console.log(`stopping ${running.map((service) => service.name).join(', ')}...`);
    await Promise.all(running.map((service) => service.stop(signal, STOP_TIMEOUT_MS)));
  }
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void stopAll(0, signal));
}
// Last resort (an uncaught error): never leave a detached service behind.
process.on('exit', () => {
  for (const service of services) if (service.running()) service.child.kill('SIGKILL');
});

const { databaseUrl } = plans[0].config;
console.log(`migrating, then seeding if empty (scale ${scale}: ${JSON.stringify(seedCounts(scale))})`);
console.log(describeSeedResult(await seed(databaseUrl, scale, { log: console.log })));

for (const plan of plans) {
  const entry = new URL(`../apps/${plan.name}/src/main.js`, import.meta.url).pathname;
  const service = startServiceProcess(plan.name, entry, plan.env);
  services.push(service);
  void service.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`${plan.name} exited (${signal ?? `code ${code}`}); stopping the others`);
    void stopAll(1);
  });
}

const health = await Promise.all(
  plans.map(async (plan, index) => ({
    plan,
    result: await waitForHealthy(`${plan.baseUrl}/health`, {
      timeoutMs: HEALTH_TIMEOUT_MS,
      intervalMs: HEALTH_POLL_INTERVAL_MS,
      probeTimeoutMs: HEALTH_PROBE_TIMEOUT_MS,
      isAlive: () => services[index].running() && !stopping,
    }),
  })),
);
// A service died or a signal came while waiting: stopAll is already on its way to process.exit.
if (stopping) await new Promise(() => undefined);

const unhealthy = health.flatMap(({ plan, result }) => (result.healthy ? [] : [`${plan.name} (${result.lastSeen})`]));
if (unhealthy.length) {
  console.error(`not healthy within ${HEALTH_TIMEOUT_MS / 1000} s: ${unhealthy.join(', ')}`);
  await stopAll(1);
}

const dashboard = plans.find((plan) => plan.name === 'dashboard')!;
console.log(
  [
    '',
    'all services are up:',
    ...plans.map(
      (plan) => `  ${plan.name.padEnd(10)} ${plan.baseUrl}   docs ${plan.baseUrl}/docs   health ${plan.baseUrl}/health`,
    ),
    `  dashboard page: ${dashboard.baseUrl}/`,
    'press Ctrl-C to stop them all',
    '',
  ].join('\n'),
);
