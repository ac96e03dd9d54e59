import { describe, expect, it } from '@jest/globals';
import { causedBy, causedByRequest, createEvent, type PaymentAuthorized, type PaymentDeclined } from '@saga/events';
import { randomUUID } from 'node:crypto';
import { onPaymentOutcome, placeOrder, type Decision } from './order.js';

const placedAt = new Date('2026-03-01T10:00:00Z');
const later = new Date('2026-03-01T10:00:05Z');
const customerId = randomUUID();

const givenPlacedOrder = (): Decision =>
  placeOrder(
    {
      customerId,
      items: [
        { sku: 'BOOK-1', quantity: 2, unitPriceCents: 1500 },
        { sku: 'MUG-1', quantity: 1, unitPriceCents: 899 },
      ],
      shippingAddress: { name: 'Ada', line1: '1 Loop St', city: 'Springfield', postalCode: '12345', country: 'US' },
    },
    randomUUID(),
    causedByRequest(),
    placedAt,
  );

const authorized = (placed: Decision) =>
  createEvent<PaymentAuthorized>(
    'PaymentAuthorized',
    placed.order.id,
    { customerId, amountCents: placed.order.totalCents },
    causedBy(placed.events[0]!),
    later,
  );

const declined = (placed: Decision) =>
  createEvent<PaymentDeclined>(
    'PaymentDeclined',
    placed.order.id,
    { customerId, amountCents: placed.order.totalCents, reason: 'credit limit exceeded' },
    causedBy(placed.events[0]!),
    later,
  );

describe('placing an order', () => {
  it('stores it PENDING with its total in cents, and announces OrderPlaced with the same data', () => {
    const { order, events } = givenPlacedOrder();

    expect(order).toMatchObject({ status: 'PENDING', reason: null, totalCents: 3899, placedAt });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'OrderPlaced',
      orderId: order.id,
      occurredAt: placedAt.toISOString(),
      data: { customerId, totalCents: 3899, items: order.items, shippingAddress: order.shippingAddress },
    });
    expect(order.history).toEqual([{ type: 'OrderPlaced', at: placedAt.toISOString() }]);
  });
});

describe('when the payment service decides', () => {
  it('an authorized payment moves the order to PAYMENT_AUTHORIZED', () => {
    const placed = givenPlacedOrder();
    const { order, changed } = onPaymentOutcome(placed.order, authorized(placed), later);

    expect(changed).toBe(true);
    expect(order).toMatchObject({ status: 'PAYMENT_AUTHORIZED', reason: null, updatedAt: later });
    expect(order.history.map((entry) => entry.type)).toEqual(['OrderPlaced', 'PaymentAuthorized']);
  });

  it('a declined payment cancels the order with PAYMENT_DECLINED', () => {
    const placed = givenPlacedOrder();
    const { order } = onPaymentOutcome(placed.order, declined(placed), later);

    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
  });

  it('an outcome arriving after the order was cancelled changes nothing', () => {
    const placed = givenPlacedOrder();
    const cancelled = onPaymentOutcome(placed.order, declined(placed), later).order;

    const late = onPaymentOutcome(cancelled, authorized(placed), later);

    expect(late).toEqual({ order: cancelled, events: [], changed: false });
  });
});
