import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { diesWithParent, killOnExit, removeOnExit } from './process-cleanup.js';
import { settlesWithin, waitUntil } from './wait.js';

export interface RedisServerOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Keep RDB snapshots (default: no persistence at all, `--save "" --appendonly no`). */
  persistence?: boolean;
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru']`. */
  args?: string[];
  /** How long to wait for the first PONG. */
  startTimeoutMs?: number;
}

const OUTPUT_TAIL_CHARS = 4_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * A private `redis-server` process on its own port and temp folder, for tests that
 * stop, kill or starve Redis (never the shared one). The process and folder are
 * removed when the test process exits, whatever happens.
 *
 * @example
 * const redis = await RedisServer.start({ args: ['--maxmemory', '2mb'] });
 * process.env.REDIS_URL = redis.url;
 * await redis.kill();      // crash
 * await redis.restart();   // same port, same folder
 * await redis.close();
 */
export class RedisServer {
  readonly host = '127.0.0.1';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private outputTail = '';

  private constructor(
    readonly port: number,
    /** The server's working folder (`--dir`): RDB files and, for cluster nodes, `nodes.conf`. */
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), 'redis-test-'));
    removeOnExit(dir);
    const server = new RedisServer(options.port ?? (await freePort()), dir, options);
    try {
      await server.launch();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  /** `host:port`, as listed in `REDIS_CLUSTER_NODES`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** The last few KB of the server's log, for assertion messages. */
  get output(): string {
    return this.outputTail;
  }

  /** A new ioredis client to this server (connection errors are not logged; commands still reject). The caller closes it. */
  client(): Redis {
    const client = new Redis({ host: this.host, port: this.port, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    return client;
  }

  /** Sends one command on a short-lived connection (no retries), e.g. `command('CLUSTER', 'INFO')`. */
  command(...args: (string | number)[]): Promise<unknown> {
    const [name, ...rest] = args;
    return withConnection(this.host, this.port, (redis) => redis.call(String(name), ...rest));
  }

  /** Graceful stop (SIGTERM: Redis shuts down, saving only if persistence is on); SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.resume();
    this.child!.kill('SIGTERM');
    if (!(await settlesWithin(this.exited, STOP_TIMEOUT_MS))) await this.kill();
  }

  /** A crash: SIGKILL, no shutdown work at all. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP');
  }

  /** Thaws a {@link pause}d process (SIGCONT). */
  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  /** Stops if running, then starts again on the same port and folder and waits for PONG. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the server and removes its folder. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const persistence = this.options.persistence ? [] : ['--save', '', '--appendonly', 'no'];
    const args = [
      '--port', String(this.port),
      '--bind', this.host,
      '--dir', this.dir,
      '--daemonize', 'no',
      '--logfile', '',
      ...persistence,
      ...(this.options.args ?? []),
    ];
    const [command, commandArgs] = diesWithParent('redis-server', args);
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    killOnExit(child);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const capture = (chunk: Buffer) => {
      this.outputTail = (this.outputTail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout!.on('data', capture);
    child.stderr!.on('data', capture);
    const failed = new AbortController();
    child.once('error', (error) => failed.abort(error));
    child.once('exit', (code, signal) => failed.abort(new Error(`exited early (${signal ?? `code ${code}`})`)));

    try {
      await waitForServer(this.host, this.port, child.pid!, this.options.startTimeoutMs ?? 10_000, failed.signal);
    } catch (error) {
      throw new Error(`redis-server on port ${this.port} did not start: ${(error as Error).message}\n${this.outputTail}`, { cause: error });
    }
  }
}

/** Resolves once `host:port` answers PING; rejects after `timeoutMs` or when `signal` aborts. */
export async function waitForPong(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await waitUntil(() => withConnection(host, port, async (redis) => (await redis.ping()) === 'PONG'), {
    timeoutMs,
    intervalMs: 25,
    what: `PONG from ${host}:${port}`,
    signal,
  });
}

/** Like {@link waitForPong}, but the answer must come from process `pid` (not another server on the port). */
async function waitForServer(host: string, port: number, pid: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  await waitUntil(() => withConnection(host, port, async (redis) => (await redis.info('server')).includes(`process_id:${pid}\r\n`)), {
    timeoutMs,
    intervalMs: 25,
    what: `redis-server pid ${pid} to answer on ${host}:${port}`,
    signal,
  });
}

/** Runs `use` on one short-lived connection to `host:port` (no retries; 500 ms connect and 2 s command timeouts). */
export async function withConnection<T>(host: string, port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 500, commandTimeout: 2_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}
