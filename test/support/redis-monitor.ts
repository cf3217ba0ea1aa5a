import { connect } from 'node:net';

/** One command as MONITOR reports it: its arguments, and who sent it (`127.0.0.1:53122`, or `lua`). */
export interface MonitoredCommand {
  args: string[];
  source: string;
}

export interface RedisMonitor {
  stop(): void;
}

const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8 };

/**
 * MONITOR on a plain socket. ioredis's `monitor()` can die with "Command queue state error" when a
 * busy server streams lines before the client has processed MONITOR's own reply (redis/ioredis#1981),
 * and the shared test Redis is busy: every spec file runs against it in parallel.
 * Resolves once Redis has confirmed that it is monitoring.
 */
export function monitorRedis(host: string, port: number, onCommand: (command: MonitoredCommand) => void): Promise<RedisMonitor> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write('MONITOR\r\n'));
    let buffered = '';
    let confirmed = false;
    socket.setEncoding('latin1'); // MONITOR escapes every byte outside printable ASCII
    socket.on('error', (error) => (confirmed ? undefined : reject(error)));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\r\n')) !== -1) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!confirmed) {
          if (line !== '+OK') return reject(new Error(`MONITOR refused: ${line}`));
          confirmed = true;
          resolve({ stop: () => socket.destroy() });
          continue;
        }
        const command = parseMonitorLine(line);
        if (command) onCommand(command);
      }
    });
  });
}

/** `+1700000000.123456 [0 127.0.0.1:53122] "get" "key"` → `{ args: ['get', 'key'], source: '127.0.0.1:53122' }`. */
export function parseMonitorLine(line: string): MonitoredCommand | undefined {
  const match = /^\+\S+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
  if (!match) return undefined;
  return { source: match[1], args: parseQuotedArgs(match[2]) };
}

function parseQuotedArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      i++;
      continue;
    }
    const bytes: number[] = [];
    for (i++; i < text.length && text[i] !== '"'; ) {
      if (text[i] !== '\\') {
        bytes.push(text.charCodeAt(i++));
      } else if (text[i + 1] === 'x') {
        bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
        i += 4;
      } else {
        bytes.push(ESCAPES[text[i + 1]] ?? text.charCodeAt(i + 1));
        i += 2;
      }
    }
    i++; // the closing quote
    args.push(Buffer.from(bytes).toString('utf8'));
  }
  return args;
}
