/** Row counts at `SEED_SCALE=1`; every count is multiplied by the scale. */
export const BASE_COUNTS = { users: 100_000, products: 10_000, orders: 1_000_000 } as const;

/** Each order holds 1-3 distinct products, so a catalog needs at least this many. */
export const MIN_PRODUCTS = 3;

export interface SeedCounts {
  users: number;
  products: number;
  orders: number;
}

/** A `SEED_SCALE` that is not a positive number, worded as the one line a person needs. */
export class SeedScaleError extends Error {
  override readonly name = 'SeedScaleError';
}

/**
 * Reads `SEED_SCALE`: unset or empty means 1; otherwise a positive decimal number.
 *
 * @example parseSeedScale('0.01') // 0.01 → 1k users, 100 products, 10k orders
 */
export function parseSeedScale(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const scale = /^\s*(\d+(\.\d*)?|\.\d+)(e-?\d+)?\s*$/i.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new SeedScaleError(`SEED_SCALE must be a positive number such as 1 or 0.01 (got "${raw}")`);
  }
  return scale;
}

/** The rows a seed at `scale` makes: at least one user and one order, and enough products to fill an order. */
export function seedCounts(scale: number): SeedCounts {
  if (!Number.isFinite(scale) || scale <= 0) throw new SeedScaleError(`seed scale must be a positive number (got ${scale})`);
  return {
    users: Math.max(1, Math.round(BASE_COUNTS.users * scale)),
    products: Math.max(MIN_PRODUCTS, Math.round(BASE_COUNTS.products * scale)),
    orders: Math.max(1, Math.round(BASE_COUNTS.orders * scale)),
  };
}
