import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisServer, waitForPong } from '../support/redis-server.js';
import { waitUntil } from '../support/wait.js';

/** Whether `pid` runs; a zombie (dead, not yet reaped by its new parent) counts as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  return !existsSync(stat) || !/\) Z /.test(readFileSync(stat, 'utf8'));
}

async function refusesConnections(port: number): Promise<boolean> {
  try {
    await waitForPong('127.0.0.1', port, 200);
    return false;
  } catch {
    return true;
  }
}

/** Runs `script` in a child node that started a RedisServer, and returns what it printed. */
function startRedisInChild(script: string): Promise<{ pid: number; dir: string; exited: Promise<void>; kill: () => void }> {
  const moduleUrl = new URL('../support/redis-server.js', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { RedisServer } = await import(${JSON.stringify(moduleUrl)});
       const redis = await RedisServer.start();
       console.log(JSON.stringify({ pid: redis.pid, dir: redis.dir }));
       ${script}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (line: Buffer) => resolve({ ...JSON.parse(line.toString()), exited, kill: () => child.kill('SIGKILL') }));
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before starting Redis`)));
  });
}

describe('RedisServer', () => {
  const servers: RedisServer[] = [];
  const clients: Redis[] = [];
  const start = async (...args: Parameters<typeof RedisServer.start>) => {
    const server = await RedisServer.start(...args);
    servers.push(server);
    return server;
  };
  const connect = (server: RedisServer) => {
    const client = server.client();
    clients.push(client);
    return client;
  };
  after(async () => {
    clients.forEach((client) => client.disconnect());
    await Promise.all(servers.map((server) => server.close()));
  });

  test('starts on a free port with no persistence and the extra arguments', async () => {
    const redis = await start({ args: ['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru'] });
    const client = connect(redis);
    assert.equal(await client.set('k', 'v'), 'OK');
    assert.deepEqual(await client.config('GET', 'maxmemory'), ['maxmemory', String(2 * 1024 * 1024)]);
    assert.deepEqual(await client.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'allkeys-lru']);
    assert.deepEqual(await client.config('GET', 'save'), ['save', '']);
    assert.deepEqual(await client.config('GET', 'appendonly'), ['appendonly', 'no']);
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
  });

  test('stop, kill and restart keep the port; without persistence data is gone', async () => {
    const redis = await start();
    const client = connect(redis);
    await client.set('k', 'v');

    await redis.stop();
    assert.equal(redis.running, false);
    assert.ok(await refusesConnections(redis.port));

    await redis.restart();
    assert.equal(await client.get('k'), null, 'data survived a restart without persistence');

    const pid = redis.pid!;
    await redis.kill();
    assert.equal(isAlive(pid), false);
    assert.ok(await refusesConnections(redis.port));
    await redis.restart();
    assert.notEqual(redis.pid, pid);
    assert.equal(await client.ping(), 'PONG');
  });

  test('with persistence, a graceful stop keeps the data', async () => {
    const redis = await start({ persistence: true });
    const client = connect(redis);
    await client.set('kept', 'yes');
    await redis.restart();
    assert.equal(await client.get('kept'), 'yes');
  });

  test('pause freezes the server without closing connections; resume thaws it', async () => {
    const redis = await start();
    const client = new Redis({ port: redis.port, commandTimeout: 200, maxRetriesPerRequest: 0 });
    clients.push(client);
    await client.ping();
    redis.pause();
    await assert.rejects(client.ping(), /timed out/i);
    redis.resume();
    assert.equal(await client.ping(), 'PONG');
  });

  test('a start failure says why, quoting the server log', async () => {
    const taken = await start();
    await assert.rejects(RedisServer.start({ port: taken.port }), /did not start: exited early[\s\S]*Address already in use/);
  });

  test('the process and folder are removed when the test process exits or is SIGKILLed', async (t) => {
    const exiting = await startRedisInChild('process.exit(0);');
    await exiting.exited;
    await waitUntil(() => !isAlive(exiting.pid), { timeoutMs: 2_000, what: 'redis-server to die with its parent' });
    assert.equal(existsSync(exiting.dir), false, 'temp folder outlived a normal exit');

    const killed = await startRedisInChild('setInterval(() => {}, 1000);');
    t.after(() => rmSync(killed.dir, { recursive: true, force: true })); // a SIGKILLed process cannot clean up
    killed.kill();
    await killed.exited;
    // Linux only: the parent-death signal (setpriv) takes the orphan down.
    if (process.platform === 'linux') {
      await waitUntil(() => !isAlive(killed.pid), { timeoutMs: 2_000, what: 'the orphaned redis-server to die' });
    }
  });
});
