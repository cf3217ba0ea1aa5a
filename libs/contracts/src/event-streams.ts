/** Names of the event streams the services share (keys via `eventStreamKey(prefix, name)` in @app/caching). */
export const EVENT_STREAMS = {
  /** Published by users on every change to a user. */
  users: 'users',
  /** Published by catalog when an order is placed. */
  orders: 'orders',
} as const;

export type UserEventType = 'user.created' | 'user.updated' | 'user.deleted';

export interface UserChangedPayload {
  id: number;
}

export const ORDER_CREATED = 'order.created';

export interface OrderCreatedPayload {
  orderId: number;
  userId: number;
  totalCents: number;
  /** ISO-8601. */
  createdAt: string;
  items: { productId: number; quantity: number }[];
}
