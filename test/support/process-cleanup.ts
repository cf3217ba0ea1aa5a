import { type ChildProcess, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Last-resort cleanup for what tests start: child processes are SIGKILLed and temp
 * folders removed when the test process exits, even on a failed assertion, an uncaught
 * error or SIGINT / SIGTERM. Where `setpriv` exists (Linux), children also get a
 * parent-death signal, so even a SIGKILLed test process leaves no orphans.
 */
const children = new Set<ChildProcess>();
const folders = new Set<string>();
let hooked = false;

/** Kill `child` when this process exits; returns a function that forgets it. */
export function killOnExit(child: ChildProcess): () => void {
  hookProcessExit();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return () => children.delete(child);
}

/** Remove `folder` (recursively) when this process exits; returns a function that forgets it. */
export function removeOnExit(folder: string): () => void {
  hookProcessExit();
  folders.add(folder);
  return () => folders.delete(folder);
}

let pdeathsigAvailable: boolean | undefined;

/**
 * `[command, args]` to spawn so the child receives SIGKILL if this process dies first
 * (`setpriv --pdeathsig`), or the command unchanged where that is unavailable.
 */
export function diesWithParent(command: string, args: string[]): [string, string[]] {
  pdeathsigAvailable ??= process.platform === 'linux' && spawnSync('setpriv', ['--version']).status === 0;
  return pdeathsigAvailable ? ['setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args]] : [command, args];
}

function cleanUpNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.clear();
}

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, function onSignal() {
      cleanUpNow();
      // Keep the default outcome (death by that signal) unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
