import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePorts } from './free-port.js';
import { RedisServer } from './redis-server.js';
import { waitUntil } from './wait.js';

const execFileAsync = promisify(execFile);

export interface RedisClusterOptions {
  /** `cluster-node-timeout`: how long a silent node takes to be marked failed. */
  nodeTimeoutMs?: number;
  /** Extra `redis-server` arguments for every node. */
  args?: string[];
  readyTimeoutMs?: number;
}

/** One line of `CLUSTER NODES`, as seen by one node. */
export interface ClusterNodeView {
  id: string;
  port: number;
  flags: string[];
  role: 'master' | 'replica';
  masterId: string | undefined;
  connected: boolean;
  /** Slot ranges served, as `[from, to]`. */
  slots: [number, number][];
}

const MASTERS = 3;
const SLOT_COUNT = 16_384;
const FAILED_FLAGS = ['fail', 'fail?', 'handshake', 'noaddr'];

/**
 * A private Redis Cluster: 3 masters and 3 replicas, each a {@link RedisServer} on free
 * ports, built with `redis-cli --cluster create`. Helpers find, kill and fail over masters.
 *
 * @example
 * const cluster = await RedisCluster.start();
 * env.REDIS_CLUSTER_NODES = cluster.redisClusterNodes;
 * const master = await cluster.killMaster(await cluster.slotOf('user:{42}:profile'));
 * await cluster.waitUntilHealthy({ replicas: false }); // a replica took over
 * await cluster.close();
 */
export class RedisCluster {
  private constructor(
    /** All six nodes, masters first as created (roles change with failovers). */
    readonly nodes: RedisServer[],
    private readonly readyTimeoutMs: number,
  ) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const ports = await freePorts(MASTERS * 4);
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 2_000;
    const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    const started = await Promise.allSettled(
      Array.from({ length: MASTERS * 2 }, (_, index) =>
        RedisServer.start({
          port: ports[index * 2],
          args: [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--cluster-node-timeout', String(nodeTimeoutMs),
            // Explicit bus port: port + 10000 may be taken or above 65535.
            '--cluster-port', String(ports[index * 2 + 1]),
            // Replicas sync at once instead of after the default 5 s wait for more replicas.
            '--repl-diskless-sync-delay', '0',
            ...(options.args ?? []),
          ],
        }),
      ),
    );
    const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const cluster = new RedisCluster(nodes, readyTimeoutMs);
    try {
      const failure = started.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
      await cluster.create();
      await cluster.waitUntilHealthy();
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** `host:port,...` of every node, the format of `REDIS_CLUSTER_NODES`. */
  get redisClusterNodes(): string {
    return this.nodes.map((node) => node.address).join(',');
  }

  /** The hash slot of `key` (honours `{hash tags}`). */
  async slotOf(key: string): Promise<number> {
    return Number(await this.anyRunningNode().command('CLUSTER', 'KEYSLOT', key));
  }

  /** The node currently serving `slot` as master, according to a running node. */
  async masterOfSlot(slot: number): Promise<RedisServer> {
    const views = await this.viewFrom(this.anyRunningNode());
    const master = views.find((view) => view.role === 'master' && !isFailed(view) && view.slots.some(([from, to]) => slot >= from && slot <= to));
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return this.nodeOnPort(master.port);
  }

  /** The replicas of `master` that are running and attached. */
  async replicasOf(master: RedisServer): Promise<RedisServer[]> {
    const views = await this.viewFrom(master);
    const masterId = views.find((view) => view.port === master.port)?.id;
    return views
      .filter((view) => view.masterId === masterId && !isFailed(view))
      .map((view) => this.nodeOnPort(view.port))
      .filter((node) => node.running);
  }

  /** SIGKILLs the master of `slot` and returns it (restart it to have it rejoin as a replica). */
  async killMaster(slot: number): Promise<RedisServer> {
    const master = await this.masterOfSlot(slot);
    await master.kill();
    return master;
  }

  /**
   * `CLUSTER FAILOVER` on `replica` (use FORCE when its master is down), then waits until
   * every node routes its slots to it and the cluster is healthy again.
   */
  async failover(replica: RedisServer, mode: 'default' | 'FORCE' | 'TAKEOVER' = 'default'): Promise<void> {
    await replica.command('CLUSTER', 'FAILOVER', ...(mode === 'default' ? [] : [mode]));
    await waitUntil(() => this.everyRunningNodeSeesMaster(replica), {
      timeoutMs: this.readyTimeoutMs,
      what: `every node to see ${replica.port} as a master`,
    });
    await this.waitUntilHealthy({ replicas: false });
  }

  /**
   * Waits until every running node says `cluster_state:ok` with all 16384 slots served by
   * running masters, and (unless `replicas: false`) each such master has a synced replica.
   */
  async waitUntilHealthy(options: { replicas?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await waitUntil(() => this.healthProblem(options.replicas ?? true).then((problem) => problem === undefined), {
      timeoutMs: options.timeoutMs ?? this.readyTimeoutMs,
      intervalMs: 100,
      what: 'a healthy cluster',
    }).catch(async (error: Error) => {
      const problem = await this.healthProblem(options.replicas ?? true).catch((cause: Error) => cause.message);
      throw new Error(`${error.message}: ${problem}`);
    });
  }

  /** Stops every node and removes their folders. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.close()));
  }

  /** What `CLUSTER NODES` on `node` says about every node. */
  async viewFrom(node: RedisServer): Promise<ClusterNodeView[]> {
    return parseClusterNodes(String(await node.command('CLUSTER', 'NODES')));
  }

  private async create(): Promise<void> {
    const args = ['--cluster', 'create', ...this.nodes.map((node) => node.address), '--cluster-replicas', '1', '--cluster-yes'];
    try {
      await execFileAsync('redis-cli', args, { timeout: this.readyTimeoutMs });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`redis-cli --cluster create failed: ${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
  }

  /** Why the cluster is not healthy yet, or `undefined` when it is. */
  private async healthProblem(requireReplicas: boolean): Promise<string | undefined> {
    const running = this.nodes.filter((node) => node.running);
    for (const node of running) {
      const info = String(await node.command('CLUSTER', 'INFO'));
      if (!info.includes('cluster_state:ok')) return `node ${node.port} reports ${/cluster_state:\w+/.exec(info)?.[0]}`;
      if (!info.includes(`cluster_slots_ok:${SLOT_COUNT}`)) return `node ${node.port} does not see all slots ok`;

      const views = await this.viewFrom(node);
      const masters = views.filter((view) => view.role === 'master' && view.slots.length > 0 && !isFailed(view));
      const servedSlots = masters.flatMap((view) => view.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0);
      if (servedSlots !== SLOT_COUNT) return `node ${node.port} sees ${servedSlots} slots served`;
      for (const master of masters) {
        if (!this.nodeOnPort(master.port).running) return `node ${node.port} still routes to stopped master ${master.port}`;
        if (!requireReplicas) continue;
        const replica = views.find((view) => view.masterId === master.id && view.connected && !isFailed(view));
        if (!replica) return `node ${node.port} sees no replica for master ${master.port}`;
      }
    }
    if (requireReplicas) {
      for (const node of running) {
        const replication = String(await node.command('INFO', 'replication'));
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) {
          return `replica ${node.port} is not synced with its master`;
        }
      }
    }
    return undefined;
  }

  private async everyRunningNodeSeesMaster(node: RedisServer): Promise<boolean> {
    for (const viewer of this.nodes.filter((candidate) => candidate.running)) {
      const view = (await this.viewFrom(viewer)).find((candidate) => candidate.port === node.port);
      if (view?.role !== 'master' || view.slots.length === 0) return false;
    }
    return true;
  }

  private anyRunningNode(): RedisServer {
    const node = this.nodes.find((candidate) => candidate.running);
    if (!node) throw new Error('no cluster node is running');
    return node;
  }

  private nodeOnPort(port: number): RedisServer {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no cluster node on port ${port}`);
    return node;
  }
}

function isFailed(view: ClusterNodeView): boolean {
  return view.flags.some((flag) => FAILED_FLAGS.includes(flag));
}

/** Parses `CLUSTER NODES` (`<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`). */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flagList, master, , , , link, ...slotFields] = line.trim().split(' ');
      const flags = flagList.split(',');
      return {
        id,
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        flags,
        role: flags.includes('master') ? 'master' : 'replica',
        masterId: master === '-' ? undefined : master,
        connected: link === 'connected',
        slots: slotFields
          .filter((field) => !field.startsWith('['))
          .map((field) => {
            const [from, to = from] = field.split('-').map(Number);
            return [from, to] as [number, number];
          }),
      };
    });
}
