import { cancellationReasons, orderItemSchema, orderStatuses, shippingAddressSchema } from '@saga/events';
import { z } from 'zod';
import type { Order } from '../domain/order.js';

/**
 * What the order API answers, as zod schemas: the OpenAPI document describes the responses with them, and the
 * types below tie them to the code that builds the answers (a field added to one and not the other does not compile).
 */
export const orderResponse = z.object({
  orderId: z.uuid(),
  status: z.enum(orderStatuses),
  /** Only when cancelled. */
  reason: z.enum(cancellationReasons).optional(),
  customerId: z.uuid(),
  totalCents: z.number().int().nonnegative(),
  items: z.array(orderItemSchema),
  shippingAddress: shippingAddressSchema,
  /** The saga's steps as the order service saw them, oldest first, compensations included. */
  history: z.array(z.object({ type: z.string(), at: z.iso.datetime({ offset: true }) })),
  placedAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  /** 1 when placed, plus one at every change: the version of its newest snapshot on `orders`. */
  version: z.number().int().positive(),
});

export type OrderResponse = z.output<typeof orderResponse>;

/** `POST /orders`: the order is placed, its saga has started. */
export const orderPlacedResponse = z.object({ orderId: z.uuid(), status: z.literal('PENDING') });

/** `GET /orders`: newest first. */
export const orderListResponse = z.object({
  orders: z.array(orderResponse),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** An order as the API shows it: `GET /orders/:id`, each order of `GET /orders`, and the live `GET /orders/stream`. */
export const presentOrder = (order: Order): OrderResponse => ({
  orderId: order.id,
  status: order.status,
  ...(order.reason ? { reason: order.reason } : {}),
  customerId: order.customerId,
  totalCents: order.totalCents,
  items: order.items,
  shippingAddress: order.shippingAddress,
  history: order.history,
  placedAt: order.placedAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
  version: order.version,
});
