import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Cluster } from 'ioredis';
import { RedisCluster } from '../support/redis-cluster.js';
import { waitUntil } from '../support/wait.js';

const KEY_COUNT = 200;
const keys = Array.from({ length: KEY_COUNT }, (_, index) => `cluster-spec:${index}`);

describe('RedisCluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  before(async () => {
    cluster = await RedisCluster.start();
    const nodes = cluster.redisClusterNodes.split(',').map((address) => {
      const [host, port] = address.split(':');
      return { host, port: Number(port) };
    });
    client = new Cluster(nodes, { redisOptions: { commandTimeout: 2_000 }, retryDelayOnFailover: 200 });
    client.on('error', () => undefined);
  });
  after(async () => {
    client?.disconnect();
    await cluster?.close();
  });

  const readAll = async () => Promise.all(keys.map((key) => client.get(key)));

  test('starts 3 masters with one synced replica each, all slots covered', async () => {
    assert.equal(cluster.nodes.length, 6);
    assert.match(cluster.redisClusterNodes, /^(127\.0\.0\.1:\d+,){5}127\.0\.0\.1:\d+$/);
    const views = await cluster.viewFrom(cluster.nodes[0]);
    const masters = views.filter((view) => view.role === 'master');
    assert.equal(masters.length, 3);
    for (const master of masters) {
      assert.equal(views.filter((view) => view.masterId === master.id).length, 1, `master ${master.port} has no replica`);
    }
  });

  test('a Cluster client writes keys that land on every master', async () => {
    await Promise.all(keys.map((key, index) => client.set(key, String(index))));
    assert.deepEqual(await readAll(), keys.map((_, index) => String(index)));

    const masterPorts = new Set<number>();
    for (const key of keys) masterPorts.add((await cluster.masterOfSlot(await cluster.slotOf(key))).port);
    assert.equal(masterPorts.size, 3, 'keys did not spread over the three masters');
    assert.equal(await cluster.slotOf('user:{42}:profile'), await cluster.slotOf('user:{42}:orders'));
  });

  test('a manual failover promotes the replica and keys stay readable', async () => {
    const slot = await cluster.slotOf(keys[0]);
    const oldMaster = await cluster.masterOfSlot(slot);
    const [replica] = await cluster.replicasOf(oldMaster);
    assert.ok(replica, 'the master has no running replica');

    await cluster.failover(replica);
    assert.equal((await cluster.masterOfSlot(slot)).port, replica.port);
    assert.deepEqual(await readAll(), keys.map((_, index) => String(index)));
  });

  test('killing a master: its replica takes over, the data survives, the old master rejoins as replica', async () => {
    const slot = await cluster.slotOf(keys[1]);
    const master = await cluster.masterOfSlot(slot);
    const [replica] = await cluster.replicasOf(master);
    await waitUntil(async () => (await master.command('DBSIZE')) === (await replica.command('DBSIZE')), {
      timeoutMs: 5_000,
      what: 'the replica to hold every key of its master',
    });

    const killed = await cluster.killMaster(slot);
    assert.equal(killed.port, master.port);
    await cluster.waitUntilHealthy({ replicas: false });
    assert.equal((await cluster.masterOfSlot(slot)).port, replica.port);
    assert.deepEqual(await readAll(), keys.map((_, index) => String(index)));

    await killed.restart();
    await cluster.waitUntilHealthy();
    assert.deepEqual(
      (await cluster.replicasOf(replica)).map((node) => node.port),
      [killed.port],
    );
  });
});
