import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchRun, renderMarkdown } from './report/markdown.js';
import { cpuTicks, stealPercent } from './report/cpu-steal.js';
import { machineInfo } from './report/machine.js';
import { ratioChart } from './report/svg-chart.js';
import { cachedVsUncachedScenario } from './scenarios/cached-vs-uncached.scenario.js';
import { clusterScenario } from './scenarios/cluster.scenario.js';
import { commandsScenario } from './scenarios/commands.scenario.js';
import { cpuPerHitScenario } from './scenarios/cpu-per-hit.scenario.js';
import { getOrSetScenario } from './scenarios/get-or-set.scenario.js';
import { hitPathScenario } from './scenarios/hit-path.scenario.js';
import { hotKeyScenario } from './scenarios/hot-key.scenario.js';
import type { Scenario } from './scenarios/scenario.js';
import { stampedeScenario } from './scenarios/stampede.scenario.js';
import { writeBehindScenario } from './scenarios/write-behind.scenario.js';
import { BenchContext, type BenchMode, SETTINGS } from './support/bench-context.js';

/**
 * `npm run bench`: every scenario, results to docs/benchmarks.md and docs/benchmarks.svg.
 *
 *   node dist/bench/run.js [scenario ...] [--quick | --smoke] [--out <file.md>] [--json <file.json>]
 *   node dist/bench/run.js --render <file.json>   (docs/ again from a saved full run, e.g. after editing the analysis)
 *
 * Naming scenarios runs only those and prints the report instead of writing docs/ (unless
 * --out). `--quick` shortens every run; `--smoke` (CI) only proves each scenario still
 * completes and produces well-formed results. `BENCH_DATABASE_URL` reuses a seeded database.
 */
export const SCENARIOS: Scenario[] = [
  hitPathScenario,
  cachedVsUncachedScenario,
  cpuPerHitScenario,
  getOrSetScenario,
  stampedeScenario,
  hotKeyScenario,
  commandsScenario,
  writeBehindScenario,
  clusterScenario,
];

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

interface Cli {
  ids: string[];
  mode: BenchMode;
  out?: string;
  json?: string;
  render?: string;
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = { ids: [], mode: 'full' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') cli.mode = 'quick';
    else if (arg === '--smoke') cli.mode = 'smoke';
    else if (arg === '--out') cli.out = argv[++i];
    else if (arg === '--json') cli.json = argv[++i];
    else if (arg === '--render') cli.render = argv[++i];
    else if (SCENARIOS.some((s) => s.id === arg)) cli.ids.push(arg);
    else throw new Error(`unknown argument "${arg}"; scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  }
  return cli;
}

/** Runs the scenarios; a scenario that throws is recorded as failed and the others still run. */
export async function runBench(cli: Cli, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<BenchRun> {
  const settings = SETTINGS[cli.mode];
  const selected = cli.ids.length ? SCENARIOS.filter((s) => cli.ids.includes(s.id)) : SCENARIOS;
  const runStartTicks = cpuTicks();
  const context = await BenchContext.open(settings, log);
  const run: BenchRun = { settings, machine: await machineInfo(context.databaseUrl), results: [], failures: [], seededMs: context.seededMs, rows: context.rows };
  try {
    for (const scenario of selected) {
      log(`${scenario.title} …`);
      const startedAt = performance.now();
      const startTicks = cpuTicks();
      try {
        const result = await scenario.run(context);
        result.elapsedS = (performance.now() - startedAt) / 1_000;
        result.stealPct = stealPercent(startTicks, cpuTicks());
        run.results.push(result);
        for (const check of result.targets) log(`  ${check.target}: ${check.measured} → ${check.met === null ? 'reported' : check.met ? 'met' : 'MISSED'}`);
      } catch (error) {
        run.failures.push({ id: scenario.id, title: scenario.title, error: (error as Error).stack ?? String(error) });
        log(`  failed: ${(error as Error).message}`);
      } finally {
        await context.release();
      }
    }
  } finally {
    await context.close();
  }
  run.machine.loadAfter = loadavg().map((l) => Math.round(l * 100) / 100);
  run.machine.stealPct = stealPercent(runStartTicks, cpuTicks());
  return run;
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const run = cli.render ? (JSON.parse(await readFile(cli.render, 'utf8')) as BenchRun) : await runBench(cli);
  const writeDocs = !cli.out && cli.ids.length === 0 && run.settings.mode === 'full';
  const chart = ratioChart(run.results.flatMap((r) => r.chart), `Ratios, ${run.machine.date.slice(0, 10)} (${run.machine.cores} cores, Node ${run.machine.node})`);
  if (writeDocs || cli.out) {
    const target = cli.out ?? `${DOCS}benchmarks.md`;
    const chartFile = target.replace(/\.md$/, '') + '.svg';
    await mkdir(dirname(target), { recursive: true });
    await writeFile(chartFile, chart);
    run.chartFile = chartFile.slice(chartFile.lastIndexOf('/') + 1);
    const analysis = writeDocs ? await readFile(new URL('../../bench/report/analysis.md', import.meta.url), 'utf8').catch(() => '') : '';
    await writeFile(target, renderMarkdown(run) + (analysis ? `\n${analysis}` : ''));
    process.stderr.write(`wrote ${target} and ${chartFile}\n`);
  } else {
    process.stdout.write(renderMarkdown(run));
  }
  if (cli.json && !cli.render) await writeFile(cli.json, JSON.stringify(run, null, 2));
  process.exitCode = run.failures.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
  // Lingering sockets (autocannon agents, pg pools) must not keep a finished run alive.
  process.exit();
}
