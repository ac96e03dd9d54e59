/**
 * Test data for one order, written once: `anOrder()` is a valid order, and a test overrides only what it is
 * about. The same order as a request body, an OrderPlaced event or a snapshot on `orders`.
 */
import {
  causedByRequest,
  createEvent,
  type OrderItem,
  type OrderPlaced,
  type OrderSnapshot,
  type OrderStatus,
  type ShippingAddress,
} from '@saga/events';
import { randomUUID } from 'node:crypto';

export type AnOrder = {
  readonly orderId: string;
  readonly customerId: string;
  readonly items: OrderItem[];
  readonly shippingAddress: ShippingAddress;
  readonly totalCents: number;
  /** What placing it asks of the order service: its customer, and its lines priced (a PlaceOrder's data). */
  request(): { customerId: string; items: OrderItem[]; shippingAddress: ShippingAddress };
  /** The body of `POST /orders` that places it: SKUs and quantities (the token names the customer, the catalogue prices). */
  body(): { items: { sku: string; quantity: number }[]; shippingAddress: ShippingAddress };
  /** Its OrderPlaced event, as the order service publishes it. */
  placed(at?: Date): OrderPlaced;
  /** Its snapshot on `orders`. */
  snapshot(version?: number, status?: OrderStatus): OrderSnapshot;
};

export function anOrder(
  overrides: Partial<Pick<AnOrder, 'orderId' | 'customerId' | 'items' | 'shippingAddress'>> & { country?: string } = {},
): AnOrder {
  const order = {
    orderId: overrides.orderId ?? randomUUID(),
    customerId: overrides.customerId ?? randomUUID(),
    items: overrides.items ?? [{ sku: 'BOOK-1', quantity: 1, unitPriceCents: 1500 }],
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '12 Analytical Way',
      city: 'London',
      postalCode: 'N1 9GU',
      country: overrides.country ?? 'GB',
      ...overrides.shippingAddress,
    },
  };
  const totalCents = order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  const request = () => ({
    customerId: order.customerId,
    items: order.items,
    shippingAddress: order.shippingAddress,
  });
  return {
    ...order,
    totalCents,
    request,
    body: () => ({
      items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
      shippingAddress: order.shippingAddress,
    }),
    placed: (at = new Date()) =>
      createEvent<OrderPlaced>('OrderPlaced', order.orderId, { ...request(), totalCents }, causedByRequest(), at),
    snapshot: (version = 1, status = 'PENDING') => ({
      orderId: order.orderId,
      version,
      status,
      reason: null,
      ...request(),
      totalCents,
      placedAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:00:00.000Z',
    }),
  };
}

/** A valid OrderPlaced event; override what the test is about. */
export function anOrderPlaced(overrides: { orderId?: string; totalCents?: number; at?: Date } = {}): OrderPlaced {
  const unitPriceCents = overrides.totalCents ?? 1500;
  return anOrder({ orderId: overrides.orderId, items: [{ sku: 'BOOK-1', quantity: 1, unitPriceCents }] }).placed(
    overrides.at,
  );
}
