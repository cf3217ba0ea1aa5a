import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/free-port.js';
import { diesWithParent, killOnExit } from '../../test/support/process-cleanup.js';
import { settlesWithin, waitUntil } from '../../test/support/wait.js';

const BENCH_APP_MAIN = fileURLToPath(new URL('../app/main.js', import.meta.url));
const OUTPUT_LIMIT_CHARS = 50_000;

/**
 * A compiled Nest app (the bench app by default, or a service's `main.js`) running as its
 * own OS process on a free port, so the load generator and the server do not share an
 * event loop and the server's CPU can be read from `/proc/<pid>/stat`.
 */
export class BenchProcess {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-OUTPUT_LIMIT_CHARS));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }

  /** Spawns `main` with `env` over this process's environment and waits until `/health` is 200. */
  static async start(name: string, env: Record<string, string>, main = BENCH_APP_MAIN): Promise<BenchProcess> {
    const port = await freePort();
    const childEnv: Record<string, string | undefined> = { ...process.env, HOST: '127.0.0.1', ...env, PORT: String(port) };
    delete childEnv.NODE_TEST_CONTEXT;
    const [command, args] = diesWithParent(process.execPath, [main]);
    const child = spawn(command, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    const server = new BenchProcess(name, port, child);
    try {
      await waitUntil(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited:\n${server.output}`);
          // 200 only once Postgres and Redis both answer: no request of a benchmark may race the connection.
          return (await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(3_000) })).status === 200;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: `${name} to answer HTTP` },
      );
    } catch (error) {
      await server.stop();
      throw new Error(`${name} did not start: ${(error as Error).message}\n${server.output}`, { cause: error });
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get log(): string {
    return this.output;
  }

  /** User + system CPU time of the whole process (all threads: GC, libuv), in ms. */
  async cpuMs(): Promise<number> {
    const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_SECOND;
  }

  async get(path: string): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(30_000) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async post(path: string): Promise<number> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
    await response.arrayBuffer();
    return response.status;
  }

  async json<T>(path: string): Promise<T> {
    const { status, text } = await this.get(path);
    if (status !== 200) throw new Error(`GET ${path} on ${this.name}: ${status} ${text.slice(0, 200)}\n${this.output.slice(-2_000)}`);
    return JSON.parse(text) as T;
  }

  /** The server's own counters: `/metrics`, summed per metric name over the label sets that match. */
  async counter(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { text } = await this.get('/metrics');
    return sumCounter(text, name, labels);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      if (!(await settlesWithin(this.exited, 10_000))) this.child.kill('SIGKILL');
    }
    await this.exited;
  }
}

// USER_HZ is 100 on every Linux build that matters (it is a kernel ABI constant, not HZ).
const CLOCK_TICKS_PER_SECOND = 100;

/** Sums the samples of a Prometheus counter whose labels include `labels`. */
export function sumCounter(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(match[3]);
  }
  return sum;
}
