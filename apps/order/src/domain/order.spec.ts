import { describe, expect, it } from '@jest/globals';
import { causedBy, causedByRequest, createEvent, type SagaEvent } from '@saga/events';
import { anOrder } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { cancelOrder, enforceDeadline, onSagaStep, placeOrder, type Order, type SagaStep } from './order.js';

const placedAt = new Date('2026-03-01T10:00:00Z');
const later = new Date('2026-03-01T10:00:05Z');
const customerId = randomUUID();

const givenPlaced = () =>
  placeOrder(
    anOrder({
      customerId,
      items: [
        { sku: 'BOOK-1', quantity: 2, unitPriceCents: 1500 },
        { sku: 'MUG-1', quantity: 1, unitPriceCents: 899 },
      ],
    }).request(),
    randomUUID(),
    causedByRequest(),
    placedAt,
  );

/** A step another service published about `order`. */
const step = <E extends SagaStep>(order: Order, type: E['type'], data: E['data']): E =>
  createEvent<E>(type, order.id, data, causedByRequest(), later);

const authorized = (order: Order) => step(order, 'PaymentAuthorized', { customerId, amountCents: order.totalCents });
const reserved = (order: Order) => step(order, 'StockReserved', { lines: [{ sku: 'BOOK-1', quantity: 2 }] });
const scheduled = (order: Order) => step(order, 'ShipmentScheduled', { shipmentId: randomUUID(), country: 'US' });

/** Applies steps in order, as the order service would, collecting what it publishes. */
const given = (order: Order, ...steps: ((order: Order) => SagaStep)[]) => {
  const published: SagaEvent[] = [];
  for (const next of steps) {
    const decision = onSagaStep(order, next(order), later);
    order = decision.order;
    published.push(...decision.events);
  }
  return { order, published };
};

describe('placing an order', () => {
  it('stores it PENDING with its total in cents, and announces OrderPlaced with the same data', () => {
    const { order, events } = givenPlaced();

    expect(order).toMatchObject({ status: 'PENDING', reason: null, totalCents: 3899, placedAt });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'OrderPlaced',
        orderId: order.id,
        data: { customerId, totalCents: 3899, items: order.items, shippingAddress: order.shippingAddress },
      }),
    ]);
  });
});

describe('the happy path', () => {
  it('moves through PAYMENT_AUTHORIZED and STOCK_RESERVED to COMPLETED, announcing OrderCompleted once', () => {
    const placed = givenPlaced().order;
    const { order, published } = given(placed, authorized, reserved, scheduled);

    expect(order.status).toBe('COMPLETED');
    expect(order.history.map((entry) => entry.type)).toEqual([
      'OrderPlaced',
      'PaymentAuthorized',
      'StockReserved',
      'ShipmentScheduled',
      'OrderCompleted',
    ]);
    expect(published).toEqual([expect.objectContaining({ type: 'OrderCompleted', data: { customerId } })]);
  });

  it('keeps the furthest status when steps arrive out of saga order (they travel on different topics)', () => {
    const { order } = given(givenPlaced().order, reserved, authorized);

    expect(order.status).toBe('STOCK_RESERVED');
  });
});

describe('a failed step cancels the order with its reason and announces OrderCancelled', () => {
  it.each([
    [
      'payment declined',
      'PAYMENT_DECLINED',
      (o: Order) => step(o, 'PaymentDeclined', { customerId, amountCents: 1, reason: 'limit' }),
    ],
    [
      'out of stock',
      'OUT_OF_STOCK',
      (o: Order) => step(o, 'StockReservationFailed', { shortages: [{ sku: 'BOOK-1', requested: 2, available: 0 }] }),
    ],
    [
      'shipping unavailable',
      'SHIPPING_UNAVAILABLE',
      (o: Order) => step(o, 'ShipmentFailed', { country: 'AQ', reason: 'unsupported' }),
    ],
  ] as const)('%s -> CANCELLED %s', (_case, reason, failure) => {
    const placed = givenPlaced().order;
    const { order, published } = given(placed, authorized, failure);

    expect(order).toMatchObject({ status: 'CANCELLED', reason });
    expect(published).toEqual([
      expect.objectContaining({ type: 'OrderCancelled', data: { customerId, reason }, orderId: placed.id }),
    ]);
    expect(order.history.at(-1)?.type).toBe('OrderCancelled');
  });
});

describe('customer cancellation and the deadline', () => {
  it('a running order is CANCELLED with CUSTOMER_CANCELLED and OrderCancelled is announced', () => {
    const { order } = given(givenPlaced().order, authorized);
    const decision = cancelOrder(order, 'CUSTOMER_CANCELLED', later);

    expect(decision.order).toMatchObject({ status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED' });
    expect(decision.events).toEqual([
      expect.objectContaining({ type: 'OrderCancelled', correlationId: order.correlationId, causationId: null }),
    ]);
  });

  it('an order that has ended cannot be cancelled: nothing changes and nothing is announced', () => {
    const { order } = given(givenPlaced().order, authorized, reserved, scheduled);

    expect(cancelOrder(order, 'CUSTOMER_CANCELLED', later)).toEqual({
      order,
      events: [],
      changed: false,
    });
  });

  it('a running order past its deadline is CANCELLED with TIMED_OUT; one within it is left alone', () => {
    const { order } = given(givenPlaced().order, authorized);
    const deadlineMs = 30_000;

    expect(enforceDeadline(order, deadlineMs, new Date(placedAt.getTime() + 29_999)).changed).toBe(false);
    const expired = enforceDeadline(order, deadlineMs, new Date(placedAt.getTime() + 30_000));
    expect(expired.order).toMatchObject({ status: 'CANCELLED', reason: 'TIMED_OUT' });
    expect(expired.events.map((event) => event.type)).toEqual(['OrderCancelled']);
  });
});

describe('late events', () => {
  it('a step arriving after the order was cancelled does not revive it; the history shows it arrived', () => {
    const cancelled = cancelOrder(givenPlaced().order, 'CUSTOMER_CANCELLED', later).order;

    for (const late of [authorized, reserved, scheduled]) {
      const { order, events } = onSagaStep(cancelled, late(cancelled), later);
      expect(order).toMatchObject({ status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED' });
      expect(order.history.at(-1)?.type).toBe(late(cancelled).type);
      expect(events).toEqual([]);
    }
  });

  it('a step arriving after the order completed is recorded, and changes nothing else', () => {
    const completed = given(givenPlaced().order, reserved, scheduled).order; // the payment is late

    const { order, events } = onSagaStep(completed, authorized(completed), later);

    expect(order.status).toBe('COMPLETED');
    expect(order.history.map((entry) => entry.type)).toContain('PaymentAuthorized');
    expect(events).toEqual([]);
  });

  it('compensations after the cancellation are recorded in the history, the status stays CANCELLED', () => {
    const cancelled = cancelOrder(given(givenPlaced().order, authorized).order, 'TIMED_OUT', later);
    const refund = step(cancelled.order, 'PaymentRefunded', { customerId, amountCents: 3899 });
    const { order } = onSagaStep(cancelled.order, { ...refund, ...causedBy(cancelled.events[0]!) }, later);

    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'TIMED_OUT' });
    expect(order.history.map((entry) => entry.type).slice(-2)).toEqual(['OrderCancelled', 'PaymentRefunded']);
  });
});

describe('versions, for the snapshots on the compacted orders topic', () => {
  it('starts at 1 and goes up by one at every change, compensations and late steps included', () => {
    const placed = givenPlaced().order;
    const completed = given(placed, authorized, reserved, scheduled).order;
    const cancelled = cancelOrder(placed, 'CUSTOMER_CANCELLED', later).order;
    const refunded = onSagaStep(cancelled, step(cancelled, 'PaymentRefunded', { customerId, amountCents: 1 }), later);

    expect(placed.version).toBe(1);
    expect(completed.version).toBe(4);
    expect(cancelled.version).toBe(2);
    expect(refunded.order.version).toBe(3);
    expect(onSagaStep(completed, authorized(completed), later).order.version).toBe(5); // late, but recorded
  });
});
