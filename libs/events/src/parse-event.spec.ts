import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { causedByRequest, createEvent } from './envelope.js';
import type { OrderPlaced } from './order-events.js';
import { parseEvent } from './parse-event.js';

const orderId = randomUUID();
const placed = createEvent<OrderPlaced>(
  'OrderPlaced',
  orderId,
  {
    customerId: randomUUID(),
    items: [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: 1500 }],
    totalCents: 3000,
    shippingAddress: { name: 'Ada', line1: '1 Loop St', city: 'Springfield', postalCode: '12345', country: 'US' },
  },
  causedByRequest(),
  new Date('2026-01-01T00:00:00Z'),
);
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const rejection = (value: Buffer | null, key?: string) => {
  const result = parseEvent(value, key);
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
};

describe('parseEvent', () => {
  it('accepts a well-formed event and returns it typed', () => {
    const result = parseEvent(bytes(placed), orderId);
    expect(result).toEqual({ ok: true, event: placed });
  });

  it('ignores fields it does not know, so producers can add fields first', () => {
    const result = parseEvent(bytes({ ...placed, data: { ...placed.data, giftWrap: true } }));
    expect(result.ok && result.event.data).toEqual(placed.data);
  });

  it('reads an event written before events named their order version as decided with the first version', () => {
    const result = parseEvent(bytes({ ...placed, orderVersion: undefined }));
    expect(result.ok && result.event.orderVersion).toBe(1);
  });

  it.each([
    ['an empty message', null, 'message has no value'],
    ['an order version that is not a positive integer', bytes({ ...placed, orderVersion: 0 }), 'envelope.orderVersion'],
    ['a value that is not JSON', Buffer.from('{not json'), 'value is not JSON'],
    ['an envelope without an id', bytes({ ...placed, id: undefined }), 'envelope.id'],
    ['an orderId that is not a UUID', bytes({ ...placed, orderId: 'order-1' }), 'envelope.orderId'],
    ['an unknown type', bytes({ ...placed, type: 'OrderTeleported' }), 'unknown event type "OrderTeleported"'],
    ['a version newer than the consumer reads', bytes({ ...placed, version: 2 }), 'OrderPlaced version 2 is newer'],
    [
      'data that breaks the schema',
      bytes({ ...placed, data: { ...placed.data, items: [{ sku: 'BOOK-1', quantity: 0, unitPriceCents: 1 }] } }),
      'data.items.0.quantity',
    ],
  ])('rejects %s with a reason that names the problem', (_case, value, reason) => {
    expect(rejection(value)).toContain(reason);
  });

  it('rejects an event whose key is not its orderId, since it broke the partitioning contract', () => {
    expect(rejection(bytes(placed), randomUUID())).toContain('differs from orderId');
  });
});
