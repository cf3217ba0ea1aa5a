import { readFileSync } from 'node:fs';

/** Cumulative CPU time of the machine in clock ticks: all of it, and what the hypervisor took (`steal`). */
export interface CpuTicks {
  total: number;
  steal: number;
}

/** Linux's `/proc/stat` totals; undefined elsewhere. */
export function cpuTicks(): CpuTicks | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already in user.
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    return { total: user + nice + system + idle + iowait + irq + softirq + steal, steal };
  } catch {
    return undefined;
  }
}

/**
 * The share of the machine's CPU time that its hypervisor gave to other guests between two readings,
 * in percent. On a virtual machine this is what makes two runs of the same code differ most: a
 * scenario measured while 30 % of the time was stolen is not comparable with one at 0 %.
 */
export function stealPercent(before: CpuTicks | undefined, after: CpuTicks | undefined): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return Math.round((1_000 * (after.steal - before.steal)) / (after.total - before.total)) / 10;
}
