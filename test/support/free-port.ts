import { createServer, type Server } from 'node:net';

/**
 * `count` distinct TCP ports that were free on `host` a moment ago: the kernel picks them
 * while we hold them all, then we release them. Another process could still take one
 * before the caller binds it; callers that bind at once (all of ours) make that rare.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listenOnAnyPort(host)));
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('listening socket has no TCP port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/** One TCP port that was free on `host` a moment ago (see {@link freePorts}). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port;
}

function listenOnAnyPort(host: string): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => resolve(server));
  });
}
