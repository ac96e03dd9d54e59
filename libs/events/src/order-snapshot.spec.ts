import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { parseOrderSnapshot, type OrderSnapshot } from './order-snapshot.js';
import { summarizeOrderView } from './order-view-checksum.js';

const orderId = randomUUID();
const snapshot: OrderSnapshot = {
  orderId,
  version: 3,
  status: 'STOCK_RESERVED',
  reason: null,
  customerId: randomUUID(),
  items: [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: 1500 }],
  totalCents: 3000,
  shippingAddress: { name: 'Ada', line1: '1 Loop St', city: 'Springfield', postalCode: '12345', country: 'US' },
  placedAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:02.000Z',
};

describe('parseOrderSnapshot', () => {
  it('reads a snapshot, and a null value as the tombstone of its key', () => {
    expect(parseOrderSnapshot(JSON.stringify(snapshot), orderId)).toEqual({ ok: true, orderId, snapshot });
    expect(parseOrderSnapshot(null, Buffer.from(orderId))).toEqual({ ok: true, orderId, snapshot: null });
  });

  it.each([
    ['a key that is not an order id', JSON.stringify(snapshot), 'nope', 'is not an order id'],
    ['a key of another order', JSON.stringify(snapshot), randomUUID(), 'differs from orderId'],
    ['a value that is not JSON', '{', orderId, 'not JSON'],
    ['a snapshot without version', JSON.stringify({ ...snapshot, version: undefined }), orderId, 'snapshot.version'],
    ['an unknown status', JSON.stringify({ ...snapshot, status: 'LOST' }), orderId, 'snapshot.status'],
  ])('rejects %s, saying why', (_, value, key, reason) => {
    expect(parseOrderSnapshot(value, key)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});

describe('summarizeOrderView', () => {
  const a = { orderId: '00000000-0000-4000-8000-000000000001', status: 'COMPLETED', version: 4 };
  const b = { orderId: '00000000-0000-4000-8000-000000000002', status: 'CANCELLED', version: 2 };

  it('does not depend on the order of the entries', () => {
    expect(summarizeOrderView([a, b])).toEqual(summarizeOrderView([b, a]));
    expect(summarizeOrderView([a, b]).count).toBe(2);
  });

  it('changes with any order, status or version', () => {
    const base = summarizeOrderView([a, b]).checksum;
    expect(summarizeOrderView([a]).checksum).not.toBe(base);
    expect(summarizeOrderView([a, { ...b, status: 'COMPLETED' }]).checksum).not.toBe(base);
    expect(summarizeOrderView([a, { ...b, version: 3 }]).checksum).not.toBe(base);
  });

  it('is the SHA-256 of one "id status version" line per order, so any tool can compute it', () => {
    expect(summarizeOrderView([])).toEqual({
      count: 0,
      checksum: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });
});
