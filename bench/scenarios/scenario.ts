import type { BenchContext } from '../support/bench-context.js';
import type { Spread } from '../support/stats.js';

export interface ResultTable {
  caption?: string;
  columns: string[];
  rows: string[][];
}

/** A target of the brief, what was measured against it, and whether it was met (null: not applicable this run). */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
  /** Why a target was missed or is not applicable, in a sentence. */
  note?: string;
}

/** One bar of the summary chart: a ratio with its spread, against its target. */
export interface ChartBar {
  label: string;
  ratio: Spread;
  target?: { value: number; direction: 'min' | 'max' };
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** What was run, in a few sentences (the method a reader needs to trust the numbers). */
  method: string;
  tables: ResultTable[];
  targets: TargetCheck[];
  notes: string[];
  chart: ChartBar[];
  /** Machine-readable figures, kept in the JSON results. */
  figures: Record<string, number | Spread | number[]>;
  elapsedS?: number;
  /** CPU time the hypervisor took from this machine during the scenario, in percent (Linux VMs). */
  stealPct?: number;
}

export interface Scenario {
  id: string;
  title: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}
