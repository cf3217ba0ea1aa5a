import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CacheMetrics } from '@app/caching';
import { killOnExit } from '../support/process-cleanup.js';
import { waitUntil } from '../support/wait.js';
import { CounterFlusher, metricValue, WriteBehindHarness } from './write-behind-harness.js';

const WORKER = fileURLToPath(new URL('./fixtures/write-behind-worker.js', import.meta.url));
const ENTRIES = 200;

describe('write-behind across a crashed consumer process (real Redis and Postgres)', () => {
  let h: WriteBehindHarness;
  before(async () => (h = await WriteBehindHarness.create()));
  after(() => h.close());

  async function crashWorker(topic: string, mode: 'hang-in-flush' | 'die-before-ack', expectedMarker: string) {
    const queue = h.queue();
    for (let i = 0; i < ENTRIES; i++) await queue.enqueue(topic, { key: `${topic}:${i % 7}`, n: 1 });
    const marker = `${h.namespace.keyPrefix}${h.namespace.service}:marker:${topic}`;
    const child = spawn(process.execPath, [WORKER], {
      env: { ...process.env, KEY_PREFIX: h.namespace.keyPrefix, SERVICE: h.namespace.service, TOPIC: topic, SCHEMA: h.schema, MARKER: marker, MODE: mode },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    killOnExit(child);
    const exited = once(child, 'exit');
    await waitUntil(async () => (await h.raw.get(marker)) === expectedMarker, { timeoutMs: 10_000, what: `the worker to reach ${expectedMarker}` });
    if (mode === 'hang-in-flush') child.kill('SIGKILL');
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');
  }

  async function recover(topic: string) {
    const metrics = new CacheMetrics();
    const survivor = h.consumer(topic, new CounterFlusher(h.schema), { claimIdleMs: 300, claimIntervalMs: 100 }, h.redis, metrics);
    await survivor.start();
    await waitUntil(async () => (await h.pending(survivor.keys.stream)) === 0 && (await survivor.stats()).undelivered === 0, {
      timeoutMs: 10_000,
      what: 'the survivor to claim, flush and acknowledge everything',
    });
    await survivor.stop();
    return metrics;
  }

  it('loses nothing when a consumer is SIGKILLed mid-flush: another claims its entries with XAUTOCLAIM', async () => {
    const topic = 'killed';
    await crashWorker(topic, 'hang-in-flush', 'flushing');
    assert.equal(await h.total(`${topic}:`), 0, 'the uncommitted batch rolled back with the dead process');
    assert.ok((await h.pending(`${h.namespace.keyPrefix}${h.namespace.service}:wb:{${topic}}`)) >= 50, 'the dead consumer held its batch');

    const metrics = await recover(topic);
    assert.equal(await h.total(`${topic}:`), ENTRIES);
    assert.equal(await metricValue(metrics, 'write_behind_entries_flushed_total', { topic }), ENTRIES);
  });

  it('applies nothing twice when a consumer dies after COMMIT and before XACK', async () => {
    const topic = 'unacked';
    await crashWorker(topic, 'die-before-ack', 'committed');
    const committed = await h.total(`${topic}:`);
    assert.ok(committed >= 50, `the dead consumer committed its first batch (${committed})`);

    const metrics = await recover(topic);
    assert.equal(await h.total(`${topic}:`), ENTRIES);
    assert.equal(await metricValue(metrics, 'write_behind_duplicates_skipped_total', { topic }), committed);
  });
});
