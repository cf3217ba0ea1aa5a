import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FaultProxy } from '../support/fault-proxy.js';
import { waitUntil } from '../support/wait.js';

/** An echo server that also remembers every byte it received. */
async function startEchoServer(): Promise<{ server: Server; port: number; received: () => string }> {
  let received = '';
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk);
    });
  });
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { server, port: address.port, received: () => received };
}

/** A client socket that collects what it reads and how it ended. */
class Client {
  readonly socket: Socket;
  data = '';
  error: NodeJS.ErrnoException | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => (this.data += chunk.toString()));
    socket.on('error', (error) => (this.error = error));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port });
    const client = new Client(socket);
    await once(socket, 'connect'); // rejects on a connect error
    return client;
  }

  /** Writes `text` and resolves when the same text has come back, with the round trip in ms. */
  async echo(text: string, timeoutMs = 2_000): Promise<number> {
    const startedAt = performance.now();
    const expected = this.data + text;
    this.socket.write(text);
    await waitUntil(() => this.data === expected, { timeoutMs, intervalMs: 5, what: `echo of "${text}"` });
    return performance.now() - startedAt;
  }
}

async function connectError(port: number): Promise<string | undefined> {
  try {
    const client = await Client.connect(port);
    await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    client.socket.destroy();
    return client.error?.code ?? (client.socket.destroyed ? 'closed' : undefined);
  } catch (error) {
    return (error as NodeJS.ErrnoException | undefined)?.code ?? 'closed';
  }
}

describe('FaultProxy', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let proxy: FaultProxy;
  const clients: Client[] = [];
  const client = async () => {
    const opened = await Client.connect(proxy.port);
    clients.push(opened);
    return opened;
  };

  before(async () => {
    echo = await startEchoServer();
  });
  after(async () => {
    clients.forEach((opened) => opened.socket.destroy());
    await proxy?.close();
    echo.server.close();
  });

  test('pass forwards both ways and counts connections', async () => {
    proxy = await FaultProxy.start({ targetPort: echo.port });
    const first = await client();
    const second = await client();
    await first.echo('hello');
    await second.echo('world');
    assert.equal(proxy.acceptedConnections, 2);
    assert.equal(proxy.openConnections, 2);

    first.socket.end();
    await first.closed;
    await waitUntil(() => proxy.openConnections === 1, { timeoutMs: 1_000, intervalMs: 5, what: 'the closed connection to be forgotten' });
  });

  test('latency delays each direction by latencyMs, in order', async () => {
    const latencyMs = 100;
    const opened = await client();
    await proxy.setMode('latency', { latencyMs });
    const roundTripMs = await opened.echo('a');
    assert.ok(roundTripMs >= 2 * latencyMs - 5, `round trip ${roundTripMs} ms < 2 × ${latencyMs} ms`);
    assert.ok(roundTripMs < 2 * latencyMs + 150, `round trip ${roundTripMs} ms is far above 2 × ${latencyMs} ms`);

    opened.socket.write('1');
    opened.socket.write('2');
    opened.socket.write('3');
    await waitUntil(() => opened.data.endsWith('123'), { timeoutMs: 1_000, intervalMs: 5, what: 'ordered echo' });

    await proxy.setMode('pass');
    assert.ok((await opened.echo('b')) < latencyMs, 'pass mode still delays');
  });

  test('blackhole accepts and reads but neither forwards nor answers, then releases on pass', async () => {
    const earlier = await client();
    await proxy.setMode('blackhole');
    const during = await client();
    const receivedBefore = echo.received();

    earlier.socket.write('held-1');
    during.socket.write('held-2');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(echo.received(), receivedBefore, 'the target received bytes through a blackhole');
    assert.equal(earlier.data, '');
    assert.equal(during.data, '');
    assert.equal(during.socket.destroyed, false);

    await proxy.setMode('pass');
    await waitUntil(() => earlier.data === 'held-1' && during.data === 'held-2', { timeoutMs: 1_000, intervalMs: 5, what: 'held bytes after the partition heals' });
  });

  test('reset sends RST to current and new connections', async () => {
    const current = await client();
    await current.echo('x');
    await proxy.setMode('reset');
    await current.closed;
    assert.equal(current.error?.code, 'ECONNRESET');
    assert.equal(await connectError(proxy.port), 'ECONNRESET');
    assert.equal(proxy.openConnections, 0);

    await proxy.setMode('pass');
    await (await client()).echo('after reset');
  });

  test('refuse stops listening, then listens again on the same port', async () => {
    const current = await client();
    await proxy.setMode('refuse');
    await current.closed;
    assert.equal(await connectError(proxy.port), 'ECONNREFUSED');

    await proxy.setMode('pass');
    await (await client()).echo('after refuse');
  });

  test('cutAll drops current connections once and stays in pass', async () => {
    const open = proxy.openConnections;
    const current = await client();
    await current.echo('y');
    assert.equal(proxy.cutAll(), open + 1);
    await current.closed;
    assert.equal(current.error?.code, 'ECONNRESET');
    assert.equal(proxy.mode, 'pass');
    await (await client()).echo('after cut');
  });

  test('close frees the port and every connection', async () => {
    const current = await client();
    await proxy.close();
    await current.closed;
    assert.equal(proxy.openConnections, 0);
    assert.equal(await connectError(proxy.port), 'ECONNREFUSED');
  });
});
