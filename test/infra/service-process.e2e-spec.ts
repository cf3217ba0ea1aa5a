import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ServiceProcess } from '../support/service-process.js';

describe('ServiceProcess', () => {
  const started: ServiceProcess[] = [];
  after(async () => {
    await Promise.all(started.map((service) => service.kill()));
  });

  test('starts a compiled service on a free port, restarts it there, stops and kills it', async () => {
    const users = await ServiceProcess.start('users');
    started.push(users);
    const health = await users.request('/health');
    assert.ok([200, 503].includes(health.status), `unexpected /health status ${health.status}`);
    assert.ok(health.elapsedMs > 0);
    assert.equal(typeof health.json, 'object');
    assert.match(users.stdout, new RegExp(`listening on http://127\\.0\\.0\\.1:${users.port}`), users.output);

    const firstPid = users.pid;
    await users.restart();
    assert.notEqual(users.pid, firstPid);
    assert.equal((await users.request('/health')).status, health.status);

    const stopped = await users.stop();
    assert.equal(users.running, false);
    assert.ok(stopped.code === 0 || stopped.signal === 'SIGTERM', `stop ended with ${JSON.stringify(stopped)}\n${users.output}`);

    await users.restart();
    const killed = await users.kill();
    assert.equal(killed.signal, 'SIGKILL');
    await assert.rejects(users.request('/health', { timeoutMs: 1_000 }), /fetch failed/);
  });

  test('start rejects with the output when the service exits instead of listening', async () => {
    await assert.rejects(
      ServiceProcess.start('catalog', { env: { CACHE_PREFIX: 'no colon' } }),
      (error: Error) => /catalog exited \(code 1\)/.test(error.message) && error.message.includes('CACHE_PREFIX'),
    );
  });
});
