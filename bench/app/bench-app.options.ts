/** Switches of the bench app, read once from its environment by `main.ts`. */
export interface BenchAppOptions {
  /**
   * The write-behind topic: `off` (elsewhere: its blocking reads would count as Redis
   * commands), `on` (consumer starts at boot), `paused` (starts on `POST /bench/wb/start`).
   */
  writeBehind: 'off' | 'on' | 'paused';
}

export const BENCH_VIEWS_TOPIC = 'bench-views';
