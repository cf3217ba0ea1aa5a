import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { httpRequest, type HttpRequestOptions, type HttpResult } from './http.js';
import { diesWithParent, killOnExit } from './process-cleanup.js';
import { settlesWithin, waitUntil } from './wait.js';

export type ServiceName = 'users' | 'catalog' | 'dashboard';

export interface ServiceProcessOptions {
  /** Overrides on top of this process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** How long {@link ServiceProcess.start} waits for the first HTTP answer. */
  readyTimeoutMs?: number;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to exit. */
  elapsedMs: number;
}

const OUTPUT_LIMIT_CHARS = 200_000;
const STOP_TIMEOUT_MS = 10_000;
const READY_PROBE_TIMEOUT_MS = 3_000;

/**
 * A compiled service (`dist/apps/<service>/src/main.js`) running as a real OS process on a
 * free port, with the test run's environment (DATABASE_URL, CACHE_PREFIX, ...) plus
 * overrides. Its stdout and stderr are kept for assertion messages. Killed when the test
 * process exits.
 *
 * @example
 * const users = await ServiceProcess.start('users', { env: { REDIS_URL: proxy.redisUrl } });
 * const { status } = await users.request('/health');
 * await users.stop();
 */
export class ServiceProcess {
  private child!: ChildProcess;
  private exit!: Promise<ServiceExit>;
  private stdoutText = '';
  private stderrText = '';

  private constructor(
    readonly service: ServiceName,
    readonly port: number,
    private readonly options: ServiceProcessOptions,
  ) {}

  /** Spawns the service and waits until it answers HTTP; rejects (with its output) if it exits or times out. */
  static async start(service: ServiceName, options: ServiceProcessOptions = {}): Promise<ServiceProcess> {
    const serviceProcess = await ServiceProcess.spawn(service, options);
    try {
      await serviceProcess.waitUntilReady();
    } catch (error) {
      await serviceProcess.kill();
      throw error;
    }
    return serviceProcess;
  }

  /** Spawns the service without waiting for it, e.g. to assert that it refuses to start. */
  static async spawn(service: ServiceName, options: ServiceProcessOptions = {}): Promise<ServiceProcess> {
    const port = options.env?.PORT ? Number(options.env.PORT) : await freePort();
    const serviceProcess = new ServiceProcess(service, port, options);
    serviceProcess.launch();
    return serviceProcess;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Both streams, labelled, for assertion messages. */
  get output(): string {
    return `--- ${this.service} stdout ---\n${this.stdoutText}\n--- ${this.service} stderr ---\n${this.stderrText}`;
  }

  /** Resolves when the process has exited (however it ended). */
  exited(): Promise<ServiceExit> {
    return this.exit;
  }

  /** Polls `GET /health` until any HTTP status comes back. */
  async waitUntilReady(timeoutMs = this.options.readyTimeoutMs ?? 20_000): Promise<void> {
    const exitedEarly = new AbortController();
    void this.exit.then(({ code, signal }) =>
      exitedEarly.abort(new Error(`${this.service} exited (${signal ?? `code ${code}`}) before answering HTTP\n${this.output}`)),
    );
    await waitUntil(() => this.request('/health', { timeoutMs: READY_PROBE_TIMEOUT_MS }).then(() => true), {
      timeoutMs,
      intervalMs: 100,
      what: `${this.service} to answer on ${this.url}`,
      signal: exitedEarly.signal,
    }).catch((error: Error) => {
      throw exitedEarly.signal.aborted ? exitedEarly.signal.reason : new Error(`${error.message}\n${this.output}`);
    });
  }

  /** An HTTP request to this service (`path` starts with `/`). */
  request(path: string, options?: HttpRequestOptions): Promise<HttpResult> {
    return httpRequest(`${this.url}${path}`, options);
  }

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<ServiceExit> {
    if (this.running) {
      this.child.kill('SIGTERM');
      if (!(await settlesWithin(this.exit, timeoutMs))) this.child.kill('SIGKILL');
    }
    return this.exit;
  }

  /** A crash: SIGKILL, no shutdown hooks. */
  async kill(): Promise<ServiceExit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exit;
  }

  /** Stops the process gracefully and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    this.launch();
    await this.waitUntilReady();
  }

  private launch(): void {
    const env: Record<string, string | undefined> = { ...process.env, HOST: '127.0.0.1', ...this.options.env, PORT: String(this.port) };
    // The service is not a test file: keep node:test's child-process marker out of it.
    delete env.NODE_TEST_CONTEXT;
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];

    const main = fileURLToPath(new URL(`../../apps/${this.service}/src/main.js`, import.meta.url));
    const [command, args] = diesWithParent(process.execPath, [main]);
    const startedAt = performance.now();
    this.stdoutText = '';
    this.stderrText = '';
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(this.child);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdoutText = (this.stdoutText + chunk.toString()).slice(-OUTPUT_LIMIT_CHARS);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString()).slice(-OUTPUT_LIMIT_CHARS);
    });
    const child = this.child;
    child.once('error', (error) => (this.stderrText += `spawn failed: ${error.message}\n`));
    this.exit = new Promise((resolve) => {
      // 'close' (not 'exit') so every byte of output has been read.
      child.once('close', (code, signal) => resolve({ code, signal, elapsedMs: performance.now() - startedAt }));
    });
  }
}
