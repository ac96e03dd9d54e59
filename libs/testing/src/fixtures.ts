import { causedByRequest, createEvent, type OrderPlaced } from '@saga/events';
import { randomUUID } from 'node:crypto';

/** A valid OrderPlaced event; override what the test is about. */
export function anOrderPlaced(overrides: { orderId?: string; totalCents?: number; at?: Date } = {}): OrderPlaced {
  const totalCents = overrides.totalCents ?? 1500;
  return createEvent<OrderPlaced>(
    'OrderPlaced',
    overrides.orderId ?? randomUUID(),
    {
      customerId: randomUUID(),
      items: [{ sku: 'BOOK-1', quantity: 1, unitPriceCents: totalCents }],
      totalCents,
      shippingAddress: { name: 'Ada', line1: '1 Loop St', city: 'Springfield', postalCode: '12345', country: 'US' },
    },
    causedByRequest(),
    overrides.at ?? new Date(),
  );
}
