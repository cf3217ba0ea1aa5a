import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngineHarness, type EngineHarness } from './engine-harness.js';

const WORKER = fileURLToPath(new URL('./fixtures/engine-worker.js', import.meta.url));

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  output: Promise<string>;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [WORKER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('ready\n')) markReady();
  });
  const output = once(child, 'exit').then(() => stdout);
  return { child, ready, output };
}

describe('cross-process stampede protection (two OS processes, real Redis and Postgres)', () => {
  let h: EngineHarness;
  before(async () => (h = await createEngineHarness()));
  after(() => h.close());

  it('runs the factory once for 2 processes × 500 concurrent callers of a cold key', async () => {
    const key = h.engine.keys.tagged('product', 7, 'detail');
    const env = {
      KEY_PREFIX: h.options.keyPrefix,
      SERVICE: h.options.service,
      KEY: key,
      MODE: 'fill',
      CALLERS: '500',
      GO_LIST: `${key}:go`,
      CALLS_KEY: `${key}:calls`,
    };
    const workers = [startWorker(env), startWorker(env)];
    await Promise.all(workers.map((w) => w.ready));
    await h.raw.lpush(env.GO_LIST, 'go', 'go');
    const outputs = await Promise.all(workers.map((w) => w.output));
    assert.equal(await h.raw.get(env.CALLS_KEY), '1');
    const distinct = new Set(outputs.flatMap((out) => (JSON.parse(out.trim().split('\n').pop()!) as { distinct: string[] }).distinct));
    assert.equal(distinct.size, 1, 'both processes served the one filled value');
  });

  it('lets another process fill once the lock of a killed holder expires', async () => {
    const key = h.engine.keys.tagged('product', 8, 'detail');
    const lockTtlMs = 1_500;
    const holder = startWorker({ KEY_PREFIX: h.options.keyPrefix, SERVICE: h.options.service, KEY: key, MODE: 'hold', LOCK_TTL_MS: String(lockTtlMs) });
    while ((await h.raw.get(`${key}:holder-started`)) !== '1') await sleep(10);
    holder.child.kill('SIGKILL');
    await holder.output;
    const lockLeftMs = await h.raw.pttl(`${key}#lock`);
    assert.ok(lockLeftMs > 0, `the dead holder left its lock behind (pttl ${lockLeftMs})`);

    const startedAt = performance.now();
    const value = await h.engine.getOrSet(key, () => 'filled by the survivor', { ttlMs: 60_000, lock: { ttlMs: lockTtlMs, waitMs: 5_000 } });
    const waitedMs = performance.now() - startedAt;
    assert.equal(value, 'filled by the survivor');
    assert.ok(waitedMs >= lockLeftMs - 50, `waited ${waitedMs} ms for a lock with ${lockLeftMs} ms left`);
    assert.ok(waitedMs < lockLeftMs + 500, `woke ${waitedMs - lockLeftMs} ms after the lock expired`);
  });
});
