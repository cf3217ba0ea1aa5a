import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseEnv, SERVICE_DEFAULT_PORTS, type ServiceName } from '@app/platform';
import { parseSeedScale } from '../scripts/seed/seed.scale.js';
import { DASHBOARD_ENV_NAMES, parseDashboardEnv } from '../apps/dashboard/src/dashboard.config.js';

// `docker compose config` cannot run without Docker; these checks read the files the way compose would.
const repoRoot = new URL('../../', import.meta.url);
const readRepoFile = (path: string) => readFileSync(new URL(path, repoRoot), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** Compose's `${NAME:-default}` interpolation, resolved to the default as on a machine that sets nothing. */
function interpolate(text: string): string {
  return text.replace(/(?<!\$)\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (whole, name: string, fallback?: string) => {
    assert.notEqual(fallback, undefined, `${whole} has no default, so a plain \`docker compose up\` would leave it empty`);
    return fallback!;
  });
}

const compose = parse(interpolate(readRepoFile('docker-compose.yml')), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = Object.entries(compose.services);
const dockerfile = readRepoFile('Dockerfile');

const environmentOf = (service: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, String(value)]));

/** The variables parseEnv reads, recorded by handing it an environment that notes every lookup. */
function namesParseEnvReads(): Set<string> {
  const read = new Set<string>();
  for (const env of [{}, { REDIS_CLUSTER_NODES: 'node-1:6379' }]) {
    const recording = new Proxy(env as Record<string, string>, {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
    parseEnv(recording, 'users');
  }
  return read;
}
const acceptedNames = namesParseEnvReads();

/** App services are the ones whose command runs `dist/apps/<service>/src/main.js`. */
const appServices = services.flatMap(([composeName, service]) => {
  const match = /^dist\/apps\/([a-z]+)\/src\/main\.js$/.exec(service.command?.[1] ?? '');
  return match ? [{ composeName, service, app: match[1] as ServiceName }] : [];
});

/** The dashboard also reads its own variables (the other services' URLs, stats timings). */
const acceptedNamesOf = (app: ServiceName): Set<string> =>
  app === 'dashboard' ? new Set([...acceptedNames, ...DASHBOARD_ENV_NAMES]) : acceptedNames;

function hostsNamedIn(env: Record<string, string>): string[] {
  const urls = [env.DATABASE_URL, env.REDIS_URL, env.USERS_URL, env.CATALOG_URL].filter(Boolean).map((url) => new URL(url).hostname);
  const nodes = (env.REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean).map((node) => node.split(':')[0]);
  return [...urls, ...nodes];
}

describe('docker-compose.yml', () => {
  it('runs every service twice: on single Redis by default and on Redis Cluster in the cluster profile', () => {
    const byProfile = (profile: string | undefined) =>
      appServices.filter(({ service }) => service.profiles?.[0] === profile).map(({ app }) => app).sort();
    const everyApp = Object.keys(SERVICE_DEFAULT_PORTS).sort();
    assert.deepEqual(byProfile(undefined), everyApp);
    assert.deepEqual(byProfile('cluster'), everyApp);
  });

  for (const { composeName, service, app } of appServices) {
    describe(composeName, () => {
      const env = environmentOf(service);

      it('sets only variables parseEnv reads', () => {
        assert.deepEqual(Object.keys(env).filter((name) => !acceptedNamesOf(app).has(name)), []);
      });

      it('passes parseEnv, listening on all interfaces at the default port', () => {
        const config = parseEnv(env, app);
        assert.equal(config.port, SERVICE_DEFAULT_PORTS[app]);
        assert.equal(config.host, '0.0.0.0');
        assert.equal(Boolean(config.redisClusterNodes), service.profiles?.includes('cluster') ?? false);
        if (app === 'dashboard') parseDashboardEnv(env);
      });

      it('publishes the port it listens on, at the same number outside the cluster profile', () => {
        assert.equal(service.ports?.length, 1);
        const [published, target] = service.ports![0].split(':').map(Number);
        assert.equal(target, SERVICE_DEFAULT_PORTS[app]);
        if (!service.profiles) assert.equal(published, SERVICE_DEFAULT_PORTS[app]);
      });

      it('names only hosts that are compose services, and waits for them and for the seed', () => {
        const hosts = hostsNamedIn(env);
        assert.deepEqual(hosts.filter((host) => !compose.services[host]), []);
        const dependsOn = service.depends_on ?? {};
        assert.equal(dependsOn.seed?.condition, 'service_completed_successfully');
        assert.equal(dependsOn.postgres?.condition, 'service_healthy');
        const redisReady = env.REDIS_URL ? dependsOn.redis?.condition : dependsOn['redis-cluster-init']?.condition;
        assert.equal(redisReady, env.REDIS_URL ? 'service_healthy' : 'service_completed_successfully');
      });

      it('has a health check on its own /health', () => {
        assert.match(service.healthcheck?.test.join(' ') ?? '', new RegExp(`127\\.0\\.0\\.1:${SERVICE_DEFAULT_PORTS[app]}/health`));
      });
    });
  }

  it('seeds once before the services start, with only DATABASE_URL and a valid SEED_SCALE', () => {
    const seed = compose.services.seed;
    assert.deepEqual(seed.command, ['node', 'dist/scripts/seed.js']);
    const env = environmentOf(seed);
    assert.deepEqual(Object.keys(env).sort(), ['DATABASE_URL', 'SEED_SCALE']);
    assert.equal(parseSeedScale(env.SEED_SCALE), 1);
    assert.equal(parseEnv(env, 'users').databaseUrl, environmentOf(compose.services.users).DATABASE_URL);
  });

  describe('observability profile', () => {
    const prometheusConfig = parse(readRepoFile('ops/prometheus/prometheus.yml')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };

    it('runs Prometheus and Grafana only in the observability profile, on the loopback interface', () => {
      for (const name of ['prometheus', 'grafana']) {
        assert.deepEqual(compose.services[name].profiles, ['observability']);
        for (const port of compose.services[name].ports ?? []) assert.match(port, /^127\.0\.0\.1:/);
      }
    });

    it('scrapes every service of the default profile at its compose name and port', () => {
      const targets = prometheusConfig.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets)).sort();
      const expected = appServices.filter(({ service }) => !service.profiles).map(({ composeName, app }) => `${composeName}:${SERVICE_DEFAULT_PORTS[app]}`).sort();
      assert.deepEqual(targets, expected);
    });

    it('provisions a Grafana datasource at the Prometheus service, and a dashboard that queries it', () => {
      const datasource = (parse(readRepoFile('ops/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; url: string }[] }).datasources[0];
      assert.equal(new URL(datasource.url).hostname, 'prometheus');
      const dashboard = JSON.parse(readRepoFile('ops/grafana/dashboards/cache.json')) as { panels: { datasource: { uid: string }; targets: { expr: string }[] }[] };
      assert.ok(dashboard.panels.length > 0);
      for (const panel of dashboard.panels) {
        assert.equal(panel.datasource.uid, datasource.uid);
        assert.ok(panel.targets.every((target) => target.expr.length > 0));
      }
      const mounts = (compose.services.grafana as { volumes?: string[] }).volumes ?? [];
      for (const folder of ['./ops/grafana/provisioning', './ops/grafana/dashboards']) assert.ok(mounts.some((m) => m.startsWith(`${folder}:`)), `grafana mounts ${folder}`);
    });
  });

  it('waits only on health checks that exist', () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(compose.services[dependency], `${name} depends on unknown ${dependency}`);
        if (condition === 'service_healthy') assert.ok(compose.services[dependency].healthcheck, `${dependency} has no healthcheck`);
      }
    }
  });

  it('caps Redis at 256 MB, evicting only keys with a TTL, and keeps an append-only file for the write-behind streams', () => {
    const command = compose.services.redis.command!.join(' ');
    assert.match(command, /--maxmemory 256mb/);
    assert.match(command, /--maxmemory-policy volatile-lru/);
    assert.match(command, /--appendonly yes --appendfsync everysec/);
  });

  it('builds a six-node cluster with one replica per master, listing every node', () => {
    const nodes = services.filter(([name]) => name.startsWith('redis-node-'));
    assert.equal(nodes.length, 6);
    for (const [, node] of nodes) {
      assert.deepEqual(node.profiles, ['cluster']);
      assert.match(node.command!.join(' '), /--cluster-enabled yes/);
    }
    const create = compose.services['redis-cluster-init'].command!.join(' ');
    assert.match(create, /--cluster create/);
    assert.match(create, /--cluster-replicas 1/);
    assert.match(create, /--cluster-yes/);
    for (const [name] of nodes) assert.ok(create.includes(`${name}:6379`), `cluster create lists ${name}`);
  });
});

describe('Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((match) => ({ image: match[1], name: match[2] }));
  const stageNames = stages.map((stage) => stage.name);

  it('has the deps, build and runtime stages, on Node 24', () => {
    assert.deepEqual(stageNames, ['deps', 'build', 'runtime']);
    for (const { image } of stages) assert.ok(image === 'deps' || image.startsWith('node:24'), `${image} is Node 24`);
  });

  it('installs with npm ci, builds, and prunes dev dependencies', () => {
    assert.match(dockerfile, /RUN npm ci\b/);
    assert.match(dockerfile, /npm run build && npm prune --omit=dev/);
  });

  it('copies only from stages it defines', () => {
    const sources = [...dockerfile.matchAll(/COPY --from=(\S+)/g)].map((match) => match[1]);
    assert.ok(sources.length > 0);
    assert.deepEqual(sources.filter((source) => !stageNames.includes(source)), []);
  });

  it('is the image compose builds, and every command compose runs in it has a source file', () => {
    for (const [name, service] of services.filter(([, service]) => service.build)) {
      assert.ok(stageNames.includes(service.build!.target!), `${name} builds target ${service.build!.target}`);
      const script = service.command?.[1] ?? '';
      assert.ok(existsSync(new URL(script.replace(/^dist\//, '').replace(/\.js$/, '.ts'), repoRoot)), `${name} runs ${script}`);
    }
  });
});
