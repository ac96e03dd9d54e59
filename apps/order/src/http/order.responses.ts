import type { Order } from '../domain/order.js';

/** An order as the API shows it: `GET /orders/:id`, each order of `GET /orders`, and the live `GET /orders/stream`. */
export const presentOrder = (order: Order) => ({
  orderId: order.id,
  status: order.status,
  ...(order.reason ? { reason: order.reason } : {}),
  customerId: order.customerId,
  totalCents: order.totalCents,
  items: order.items,
  shippingAddress: order.shippingAddress,
  history: order.history,
  placedAt: order.placedAt,
  updatedAt: order.updatedAt,
  version: order.version,
});

export type OrderResponse = ReturnType<typeof presentOrder>;
