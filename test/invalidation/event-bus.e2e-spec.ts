import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CacheEvent, CacheEventPublisher, deadLetterStreamKey, eventStreamKey } from '@app/caching';
import { FaultProxy } from '../support/fault-proxy.js';
import { killOnExit } from '../support/process-cleanup.js';
import { waitUntil } from '../support/wait.js';
import { connectedClient, createBusHarness, keyPrefix, recorder, uniqueStream } from './invalidation-harness.js';
import { singleNodeOnly } from '../support/test-redis.js';

const WORKER = fileURLToPath(new URL('./fixtures/event-consumer-worker.js', import.meta.url));

describe('event bus on Redis Streams (real Redis)', () => {
  let h: Awaited<ReturnType<typeof createBusHarness>>;
  before(async () => (h = await createBusHarness()));
  after(() => h.close());

  it('runs the handler of a published event and acknowledges it', async () => {
    const stream = uniqueStream();
    const events = recorder();
    const consumer = await h.consumer({ stream, group: 'dashboard', handlers: { 'user.updated': events.handler } });
    const { event } = await h.publisher.publish(stream, { type: 'user.updated', payload: { id: 42 } });

    await waitUntil(() => events.seen.length === 1, { timeoutMs: 2_000, what: 'the handler' });
    assert.deepEqual(events.seen[0], event);
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(event.occurredAt)));
    await waitUntil(async () => (await consumer.stats()).pending === 0, { timeoutMs: 2_000, what: 'the ack' });
    const stats = await consumer.stats();
    assert.deepEqual([stats.pending, stats.lag, stats.consumers], [0, 0, 1]);
  });

  it('keeps the stream under the shared prefix, outside any service namespace, trimmed to about MAXLEN', async () => {
    const stream = uniqueStream();
    assert.equal(eventStreamKey(keyPrefix, stream), `${keyPrefix}events:{${stream}}`);
    const small = new CacheEventPublisher(h.redis, { keyPrefix, streamMaxLength: 100 });
    for (let i = 0; i < 1_000; i++) await small.publish(stream, { type: 'noise', payload: i });
    const length = await h.raw.xlen(eventStreamKey(keyPrefix, stream));
    assert.ok(length >= 100 && length < 1_000, `length ${length} is trimmed near 100`);
  });

  it('exposes lag (not yet delivered) and pending (delivered, not acked) of the group', async () => {
    const stream = uniqueStream();
    const consumer = await h.consumer({ stream, group: 'catalog', handlers: {} });
    await consumer.stop();
    for (let i = 0; i < 5; i++) await h.publisher.publish(stream, { type: 'user.updated', payload: { id: i } });
    const stats = await consumer.stats();
    assert.equal(stats.lag, 5);
    assert.equal(stats.pending, 0);
  });

  it('hands the entry of a consumer killed before its ack to another consumer of the group (XAUTOCLAIM)', async (t) => {
    const stream = uniqueStream();
    const group = 'catalog';
    const startedKey = `${keyPrefix}test:${stream}:started`;
    const events = recorder();
    const deliveries: number[] = [];
    // The survivor joins first (so the group exists) but only claims entries idle for 500 ms.
    await h.consumer({
      stream,
      group,
      consumer: 'survivor',
      claimIdleMs: 500,
      handlers: {
        'product.updated': (event: CacheEvent, context) => {
          deliveries.push(context.deliveries);
          events.handler(event);
        },
      },
    });
    const child = spawn(process.execPath, [WORKER], {
      env: { ...process.env, KEY_PREFIX: keyPrefix, STREAM: stream, GROUP: group, CONSUMER: 'doomed', STARTED_KEY: startedKey },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    killOnExit(child);
    // If an assertion fails while the worker lives, its open pipes would keep this file's process running forever.
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    await waitUntil(() => child.stdout!.read()?.toString().includes('ready'), { timeoutMs: 10_000, what: 'the worker' });

    // Only one of the two consumers gets each new entry: publish until the doomed one takes one.
    let doomedEntry: string | null = null;
    const published: string[] = [];
    for (let i = 0; !doomedEntry && i < 50; i++) {
      published.push((await h.publisher.publish(stream, { type: 'product.updated', payload: { id: i } })).event.id);
      // GET answers null for a missing key: map it to undefined, or waitUntil would take null as "done".
      doomedEntry = await waitUntil(async () => (await h.raw.get(startedKey)) ?? undefined, { timeoutMs: 300, what: 'the doomed handler' }).catch(() => null);
    }
    assert.ok(doomedEntry, 'the worker took an entry');
    child.kill('SIGKILL');
    await once(child, 'exit');

    await waitUntil(() => published.every((id) => events.ids().has(id)), { timeoutMs: 5_000, what: 'every event on the survivor' });
    assert.ok(deliveries.some((n) => n >= 2), `the orphaned entry was redelivered (deliveries ${deliveries})`);
    const streamKey = eventStreamKey(keyPrefix, stream);
    await waitUntil(async () => ((await h.raw.xpending(streamKey, group)) as [number])[0] === 0, { timeoutMs: 2_000, what: 'no pending' });
  });

  it('dead-letters a poison event after bounded retries, and handles the events behind it', async () => {
    const stream = uniqueStream();
    const events = recorder();
    let poisonAttempts = 0;
    await h.consumer({
      stream,
      group: 'dashboard',
      maxAttempts: 3,
      handlers: {
        'user.updated': events.handler,
        'user.poison': () => {
          poisonAttempts++;
          throw new Error('cannot handle this');
        },
      },
    });
    const streamKey = eventStreamKey(keyPrefix, stream);
    await h.publisher.publish(stream, { type: 'user.poison', payload: {} });
    await h.raw.xadd(streamKey, '*', 'event', '{not json'); // malformed: dead-lettered without retries
    const after = await Promise.all([1, 2, 3].map((id) => h.publisher.publish(stream, { type: 'user.updated', payload: { id } })));

    await waitUntil(() => events.seen.length === 3, { timeoutMs: 3_000, what: 'the events behind the poison' });
    assert.deepEqual(events.seen.map((e) => e.id), after.map((p) => p.event.id));
    assert.equal(poisonAttempts, 3);
    const dead = (await h.raw.xrange(deadLetterStreamKey(streamKey), '-', '+')).map(([, fields]) => fields);
    assert.equal(dead.length, 2);
    assert.match(dead[0].join(' '), /handler failed 3 times: cannot handle this/);
    assert.match(dead[1].join(' '), /malformed/);
    assert.equal(((await h.raw.xpending(streamKey, 'dashboard')) as [number])[0], 0);
  });

  it('handles every event published while its connection is cut and blackholed, once it heals', singleNodeOnly('a fault proxy in front of the shared single node'), async () => {
    const proxy = await FaultProxy.start({ targetPort: 6379 });
    try {
      const viaProxy = await connectedClient(proxy.redisUrl);
      h.track(viaProxy);
      const stream = uniqueStream();
      const events = recorder();
      // claimIdleMs far beyond the test: what comes back must come from the consumer's own recovery.
      await h.consumer({ stream, group: 'dashboard', claimIdleMs: 600_000, handlers: { 'user.updated': events.handler } }, viaProxy);
      const published: string[] = [];
      const publish = async (n: number) => {
        for (let i = 0; i < n; i++) published.push((await h.publisher.publish(stream, { type: 'user.updated', payload: { i } })).event.id);
      };

      await publish(20);
      await waitUntil(() => events.seen.length === 20, { timeoutMs: 3_000, what: 'the first events' });
      await sleep(50); // back in its blocking read

      // Redis delivers these into the blocked read, but the reply never reaches the consumer.
      await proxy.setMode('blackhole');
      await publish(20);
      await sleep(100);
      proxy.cutAll();
      await proxy.setMode('reset');
      await publish(20);
      await sleep(300);
      await proxy.setMode('pass');
      for (let i = 0; i < 5; i++) {
        proxy.cutAll();
        await publish(10);
        await sleep(30);
      }

      await waitUntil(() => published.every((id) => events.ids().has(id)), {
        timeoutMs: 10_000,
        what: `all ${published.length} events (seen ${events.ids().size})`,
      });
      assert.equal(((await h.raw.xpending(eventStreamKey(keyPrefix, stream), 'dashboard')) as [number])[0], 0);
    } finally {
      await proxy.close();
    }
  });

  it('stops gracefully: an event being handled is finished and acknowledged', async () => {
    const stream = uniqueStream();
    let finished = false;
    const consumer = await h.consumer({
      stream,
      group: 'dashboard',
      handlers: {
        'user.updated': async () => {
          await sleep(300);
          finished = true;
        },
      },
    });
    await h.publisher.publish(stream, { type: 'user.updated', payload: {} });
    await waitUntil(async () => (await consumer.stats()).pending === 1, { timeoutMs: 2_000, what: 'delivery' });
    await consumer.stop();
    assert.equal(finished, true);
    assert.equal((await consumer.stats()).pending, 0);
  });
});
