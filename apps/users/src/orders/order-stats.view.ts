/** A user's order figures as cached under `user:{id}:orders`. */
export interface OrderStatsView {
  orderCount: number;
  /** ISO-8601, or null before the first order. */
  lastOrderAt: string | null;
}

export const NO_ORDERS: OrderStatsView = { orderCount: 0, lastOrderAt: null };
