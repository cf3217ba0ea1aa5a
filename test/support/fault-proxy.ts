import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * - `pass`: bytes flow through untouched.
 * - `latency`: every chunk waits `latencyMs` before it is forwarded, in each direction.
 * - `blackhole`: connections are accepted and read, but nothing is forwarded or answered.
 *   Held bytes flow on once the mode changes to `pass` or `latency`, as TCP delivers
 *   them after a partition heals (so a client's request/reply pairing stays intact).
 * - `reset`: current and new connections are closed with a TCP RST (ECONNRESET).
 * - `refuse`: the proxy stops listening (ECONNREFUSED) and closes current connections;
 *   any other mode listens again on the same port.
 */
export type FaultMode = 'pass' | 'latency' | 'blackhole' | 'reset' | 'refuse';

export interface FaultProxyOptions {
  targetHost?: string;
  targetPort: number;
  /** Port to listen on; a free one when omitted. */
  port?: number;
  host?: string;
}

/**
 * A TCP proxy in front of `targetHost:targetPort` whose behaviour can be switched while
 * clients are connected, to put a real network fault between a service and Redis or Postgres.
 *
 * @example
 * const proxy = await FaultProxy.start({ targetPort: redis.port });
 * await proxy.setMode('blackhole');
 * // ... assert the service fails open ...
 * await proxy.close();
 */
export class FaultProxy {
  private currentMode: FaultMode = 'pass';
  private currentLatencyMs = 0;
  private readonly connections = new Set<ProxiedConnection>();
  private accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    await listen(server, host, options.port ?? 0);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fault proxy has no TCP port');
    return new FaultProxy(server, host, address.port, options.targetHost ?? '127.0.0.1', options.targetPort);
  }

  get mode(): FaultMode {
    return this.currentMode;
  }

  get latencyMs(): number {
    return this.currentMode === 'latency' ? this.currentLatencyMs : 0;
  }

  /** Connections accepted since start (including ones reset or blackholed). */
  get acceptedConnections(): number {
    return this.accepted;
  }

  /** Connections currently open through the proxy. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** `redis://host:port` of the proxy, for a service's `REDIS_URL`. */
  get redisUrl(): string {
    return `redis://${this.host}:${this.port}`;
  }

  async setMode(mode: Exclude<FaultMode, 'latency'>): Promise<void>;
  async setMode(mode: 'latency', options: { latencyMs: number }): Promise<void>;
  async setMode(mode: FaultMode, options?: { latencyMs: number }): Promise<void> {
    const wasRefusing = this.currentMode === 'refuse';
    this.currentMode = mode;
    this.currentLatencyMs = options?.latencyMs ?? 0;

    if (mode === 'refuse') {
      for (const connection of this.connections) connection.close();
      if (this.server.listening) await stopListening(this.server);
      return;
    }
    if (wasRefusing) await listen(this.server, this.host, this.port);
    for (const connection of this.connections) {
      if (mode === 'reset') connection.reset();
      else connection.flush();
    }
  }

  /** Drops every current connection once with a TCP RST (a network blip); the mode is unchanged. */
  cutAll(): number {
    const count = this.connections.size;
    for (const connection of this.connections) connection.reset();
    return count;
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const connection of this.connections) connection.reset();
    if (this.server.listening) await stopListening(this.server);
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    if (this.currentMode === 'reset' || this.currentMode === 'refuse') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const openUpstream = () => connect({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true, noDelay: true });
    const connection: ProxiedConnection = new ProxiedConnection(client, this, openUpstream, () =>
      this.connections.delete(connection),
    );
    this.connections.add(connection);
  }
}

interface PendingChunk {
  chunk: Buffer;
  dueAt: number;
}

/** One direction of a connection: chunks in arrival order, each released at its due time. */
class Lane {
  private readonly pending: PendingChunk[] = [];
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private destination: Socket | undefined;

  constructor(private readonly proxy: Pick<FaultProxy, 'mode' | 'latencyMs'>) {}

  push(chunk: Buffer): void {
    const previousDueAt = this.pending.at(-1)?.dueAt ?? 0;
    this.pending.push({ chunk, dueAt: Math.max(Date.now() + this.proxy.latencyMs, previousDueAt) });
    this.flush();
  }

  /** The source ended: end the destination once everything pending has gone out. */
  end(): void {
    this.ended = true;
    this.flush();
  }

  /** Sends what is due to `destination` (when given or already known), unless blackholed. */
  flush(destination?: Socket): void {
    this.destination = destination ?? this.destination;
    if (!this.destination || this.proxy.mode === 'blackhole') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    while (this.pending.length && this.pending[0].dueAt <= now) {
      this.destination.write(this.pending.shift()!.chunk);
    }
    if (this.pending.length) {
      this.timer = setTimeout(() => this.flush(), this.pending[0].dueAt - now);
    } else if (this.ended) {
      this.destination.end();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.pending.length = 0;
  }
}

/**
 * A client socket and its upstream socket (opened when the proxy first forwards something).
 * A graceful close travels through the lanes as a half-close; when either socket is
 * finally closed, the other is destroyed.
 */
class ProxiedConnection {
  private upstream: Socket | undefined;
  private readonly toUpstream: Lane;
  private readonly toClient: Lane;
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly proxy: Pick<FaultProxy, 'mode' | 'latencyMs'>,
    private readonly openUpstream: () => Socket,
    private readonly onClosed: () => void,
  ) {
    this.toUpstream = new Lane(proxy);
    this.toClient = new Lane(proxy);
    client.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => this.toUpstream.push(chunk));
    client.on('end', () => this.toUpstream.end());
    client.on('close', () => this.close());
    this.flush();
  }

  /** Releases what is due in both directions, opening the upstream connection if needed. */
  flush(): void {
    if (this.closed || this.proxy.mode === 'blackhole') return;
    this.upstream ??= this.connectUpstream();
    this.toUpstream.flush(this.upstream);
    this.toClient.flush(this.client);
  }

  /** Both sides end at once with a TCP RST. */
  reset(): void {
    resetQuietly(this.client);
    if (this.upstream) resetQuietly(this.upstream);
    this.close();
  }

  /** Both sides are closed (FIN) and forgotten; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.toUpstream.dispose();
    this.toClient.dispose();
    this.client.destroy();
    this.upstream?.destroy();
    this.onClosed();
  }

  private connectUpstream(): Socket {
    const upstream = this.openUpstream();
    upstream.on('error', () => undefined);
    upstream.on('data', (chunk: Buffer) => this.toClient.push(chunk));
    upstream.on('end', () => this.toClient.end());
    upstream.on('close', () => this.close());
    return upstream;
  }
}

function resetQuietly(socket: Socket): void {
  if (socket.destroyed) return;
  socket.on('error', () => undefined);
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
