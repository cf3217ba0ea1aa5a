const PREFIX = /^[A-Za-z0-9_.-]{1,32}:$/;
const SERVICE = /^[a-z][a-z0-9-]{0,31}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The hash tag every unique-visitor HyperLogLog carries. All days share one Redis Cluster
 * slot, so `PFMERGE` / multi-key `PFCOUNT` over a week is legal on a cluster. The price is
 * one slot for all of them: fine for 12 KB per day.
 */
export const VISITORS_HASH_TAG = '{visitors}';

/** The UTC calendar day of `date` as `yyyy-mm-dd`, the day segment of the visitor keys. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `count` consecutive UTC days ending with `last` (oldest first). */
export function utcDaysEndingOn(last: Date, count: number): string[] {
  const lastMs = Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate());
  return Array.from({ length: count }, (_, index) => utcDay(new Date(lastMs - (count - 1 - index) * 86_400_000)));
}

function checked(prefix: string, day: string): void {
  if (!PREFIX.test(prefix)) throw new TypeError(`key prefix "${prefix}" is not a word and a colon`);
  if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new TypeError(`day "${day}" is not yyyy-mm-dd`);
}

/**
 * The HyperLogLog of one UTC day's unique visitors, written by catalog (`PFADD` on every
 * product view) and read by the dashboard: `<prefix>catalog:visitors:{visitors}:<yyyy-mm-dd>`.
 *
 * @example dailyVisitorsKey('cref:', '2026-11-20') // 'cref:catalog:visitors:{visitors}:2026-11-20'
 */
export function dailyVisitorsKey(prefix: string, day: string | Date): string {
  const dayText = typeof day === 'string' ? day : utcDay(day);
  checked(prefix, dayText);
  return `${prefix}catalog:visitors:${VISITORS_HASH_TAG}:${dayText}`;
}

/**
 * Where `service` `PFMERGE`s the days `first`..`last` (inclusive): in the same slot as the
 * days it merges, in the merging service's own namespace.
 *
 * @example mergedVisitorsKey('cref:', 'dashboard', '2026-11-14', '2026-11-20') // 'cref:dashboard:visitors:{visitors}:2026-11-14..2026-11-20'
 */
export function mergedVisitorsKey(prefix: string, service: string, first: string, last: string): string {
  checked(prefix, first);
  checked(prefix, last);
  if (!SERVICE.test(service)) throw new TypeError(`service "${service}" must match ${SERVICE}`);
  return `${prefix}${service}:visitors:${VISITORS_HASH_TAG}:${first}..${last}`;
}
