import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { BenchRun } from '../bench/report/markdown.js';
import { SCENARIOS } from '../bench/run.js';

const RUN_JS = fileURLToPath(new URL('../bench/run.js', import.meta.url));
const DOCS_MD = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));

/** mtime of docs/benchmarks.md, or null when there is none: the smoke run must not touch it. */
const docsStamp = () => stat(DOCS_MD).then((s) => s.mtimeMs, () => null);

// CI keeps the benchmark suite from rotting: every scenario runs in --smoke mode (tiny seed,
// sub-second loads) and must complete with well-formed results. Nothing here asserts speed.
describe('bench --smoke', () => {
  let folder: string;
  let run: BenchRun;
  let markdown: string;
  let svg: string;
  let exitCode: number | null;
  let output = '';
  let docsBefore: number | null;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    docsBefore = await docsStamp();
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    delete env.BENCH_DATABASE_URL;
    const child = spawn(process.execPath, [RUN_JS, '--smoke', '--out', join(folder, 'bench.md'), '--json', join(folder, 'bench.json')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exitCode = await new Promise((resolve) => child.once('close', (code) => resolve(code)));
    run = JSON.parse(await readFile(join(folder, 'bench.json'), 'utf8')) as BenchRun;
    markdown = await readFile(join(folder, 'bench.md'), 'utf8');
    svg = await readFile(join(folder, 'bench.svg'), 'utf8');
  });

  after(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('completes every scenario without a failure', () => {
    assert.equal(exitCode, 0, output);
    assert.deepEqual(run.failures, [], output);
    assert.deepEqual(
      run.results.map((r) => r.id),
      SCENARIOS.map((s) => s.id),
    );
  });

  it('gives every scenario a method, tables with full rows, and targets with a measured value', () => {
    for (const result of run.results) {
      assert.ok(result.method.length > 40, `${result.id}: method`);
      assert.ok(result.tables.length > 0, `${result.id}: tables`);
      for (const table of result.tables) {
        assert.ok(table.rows.length > 0, `${result.id}: empty table`);
        for (const row of table.rows) assert.equal(row.length, table.columns.length, `${result.id}: row ${JSON.stringify(row)}`);
      }
      assert.ok(result.targets.length > 0, `${result.id}: targets`);
      for (const check of result.targets) {
        assert.ok(check.measured && !/NaN|undefined/.test(check.measured), `${result.id}: ${check.target} measured "${check.measured}"`);
        assert.ok(check.met === null || typeof check.met === 'boolean');
      }
    }
  });

  it('reports ratios as finite positive spreads and server-side counts as numbers', () => {
    for (const bar of run.results.flatMap((r) => r.chart)) {
      for (const value of [bar.ratio.median, bar.ratio.min, bar.ratio.max]) assert.ok(Number.isFinite(value) && value > 0, `${bar.label}: ${value}`);
      assert.ok(bar.ratio.min <= bar.ratio.median && bar.ratio.median <= bar.ratio.max, bar.label);
    }
    const stampede = run.results.find((r) => r.id === 'stampede')!;
    for (const count of [...(stampede.figures.oursQueries as number[]), ...(stampede.figures.builtinQueries as number[])]) {
      assert.ok(Number.isInteger(count) && count >= 1, `stampede query count ${count}`);
    }
  });

  it('renders the report, the machine and an SVG chart, and leaves docs/benchmarks.md alone', async () => {
    for (const heading of ['# Benchmarks', '## Machine', '## Targets', ...run.results.map((r) => `## ${r.title}`)]) {
      assert.ok(markdown.includes(heading), heading);
    }
    assert.match(markdown, /\| Node\.js \| v\d+/);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal((svg.match(/<rect /g) ?? []).length, 1 + run.results.flatMap((r) => r.chart).length);
    assert.equal(await docsStamp(), docsBefore);
  });
});
