import { describe, expect, it } from '@jest/globals';
import { causedByRequest, createEvent, type OrderEvent } from '@saga/events';
import { anOrder, given } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { order, type CancelOrder, type Order, type OrderInput, type PlaceOrder, type SagaStep } from './order.js';

const now = { now: new Date('2026-03-01T10:00:05Z') };
const anOrderOf = anOrder({
  items: [
    { sku: 'BOOK-1', quantity: 2, unitPriceCents: 1500 },
    { sku: 'MUG-1', quantity: 1, unitPriceCents: 899 },
  ],
});
const { orderId, customerId } = anOrderOf;
const place: PlaceOrder = { type: 'PlaceOrder', orderId, ...anOrderOf.request(), correlationId: randomUUID() };
const cancel = (reason: CancelOrder['reason']): CancelOrder => ({ type: 'CancelOrder', orderId, reason });
const placed = given(order).when(place, now).outputs;

/** A step another service published about the order. */
const step = <E extends SagaStep>(type: E['type'], data: E['data']): E =>
  createEvent<E>(type, orderId, data, causedByRequest(), now.now);
const authorized = step('PaymentAuthorized', { customerId, amountCents: 3899 });
const reserved = step('StockReserved', { lines: [{ sku: 'BOOK-1', quantity: 2 }] });
const scheduled = step('ShipmentScheduled', { shipmentId: randomUUID(), country: 'GB' });

/** The order after these inputs, each with what it published: the history of the order service. */
const history = (...inputs: OrderInput[]): (OrderInput | OrderEvent)[] => {
  const seen: (OrderInput | OrderEvent)[] = [];
  for (const input of inputs) seen.push(input, ...given(order, ...seen).when(input, now).outputs);
  return seen;
};
const orderAfter = (...inputs: OrderInput[]): Order => history(...inputs).reduce(order.evolve, null)!;

describe('placing an order', () => {
  it('stores it PENDING with its total in cents, and announces OrderPlaced with the same data', () => {
    const { outputs, state } = given(order).when(place, now).then('OrderPlaced');

    expect(state).toMatchObject({ status: 'PENDING', reason: null, totalCents: 3899, version: 1, placedAt: now.now });
    expect(outputs[0]).toMatchObject({
      orderId,
      correlationId: place.correlationId,
      orderVersion: 1,
      data: { customerId, totalCents: 3899, items: anOrderOf.items, shippingAddress: anOrderOf.shippingAddress },
    });
  });

  it('places it once: the same command again changes nothing', () => {
    given(order, place, ...placed)
      .when(place, now)
      .then();
  });
});

describe('the happy path', () => {
  it('moves through PAYMENT_AUTHORIZED and STOCK_RESERVED to COMPLETED, announcing OrderCompleted once', () => {
    const { outputs, state } = given(order, ...history(place, authorized, reserved))
      .when(scheduled, now)
      .then('OrderCompleted');

    expect(outputs[0]!.data).toEqual({ customerId });
    expect(state!.status).toBe('COMPLETED');
    expect(state!.history.map((entry) => entry.type)).toEqual([
      'OrderPlaced',
      'PaymentAuthorized',
      'StockReserved',
      'ShipmentScheduled',
      'OrderCompleted',
    ]);
  });

  it('keeps the furthest status when steps arrive out of saga order (they travel on different topics)', () => {
    expect(orderAfter(place, reserved, authorized).status).toBe('STOCK_RESERVED');
  });
});

describe('a failed step cancels the order with its reason and announces OrderCancelled', () => {
  it.each([
    ['payment declined', 'PAYMENT_DECLINED', step('PaymentDeclined', { customerId, amountCents: 1, reason: 'limit' })],
    [
      'out of stock',
      'OUT_OF_STOCK',
      step('StockReservationFailed', { shortages: [{ sku: 'BOOK-1', requested: 2, available: 0 }] }),
    ],
    ['shipping unavailable', 'SHIPPING_UNAVAILABLE', step('ShipmentFailed', { country: 'AQ', reason: 'unsupported' })],
  ] as const)('%s -> CANCELLED %s', (_case, reason, failure) => {
    const { outputs, state } = given(order, ...history(place, authorized))
      .when(failure, now)
      .then('OrderCancelled');

    expect(outputs[0]).toMatchObject({ orderId, data: { customerId, reason }, causationId: failure.id });
    expect(state).toMatchObject({ status: 'CANCELLED', reason });
    expect(state!.history.map((entry) => entry.type).slice(-2)).toEqual([failure.type, 'OrderCancelled']);
  });
});

describe('customer cancellation and the deadline', () => {
  it.each(['CUSTOMER_CANCELLED', 'TIMED_OUT'] as const)('a running order is CANCELLED with %s', (reason) => {
    const { outputs, state } = given(order, ...history(place, authorized))
      .when(cancel(reason), now)
      .then('OrderCancelled');

    expect(state).toMatchObject({ status: 'CANCELLED', reason });
    expect(outputs[0]).toMatchObject({ correlationId: place.correlationId, causationId: null });
  });

  it('an order that has ended cannot be cancelled: nothing changes and nothing is announced', () => {
    const { state } = given(order, ...history(place, authorized, reserved, scheduled))
      .when(cancel('CUSTOMER_CANCELLED'), now)
      .then();
    expect(state).toEqual(orderAfter(place, authorized, reserved, scheduled));
  });

  it('an order that does not exist cannot be cancelled either', () => {
    expect(given(order).when(cancel('CUSTOMER_CANCELLED'), now).then().state).toBeNull();
  });
});

describe('late events', () => {
  it('a step arriving after the order was cancelled does not revive it; the history shows it arrived', () => {
    for (const late of [authorized, reserved, scheduled]) {
      const { state } = given(order, ...history(place, cancel('CUSTOMER_CANCELLED')))
        .when(late, now)
        .then();
      expect(state).toMatchObject({ status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED' });
      expect(state!.history.at(-1)?.type).toBe(late.type);
    }
  });

  it('a step arriving after the order completed is recorded, and changes nothing else', () => {
    const { state } = given(order, ...history(place, reserved, scheduled)) // the payment is late
      .when(authorized, now)
      .then();

    expect(state!.status).toBe('COMPLETED');
    expect(state!.history.map((entry) => entry.type)).toContain('PaymentAuthorized');
  });

  it('compensations after the cancellation are recorded in the history, the status stays CANCELLED', () => {
    const refund = step('PaymentRefunded', { customerId, amountCents: 3899 });
    const { state } = given(order, ...history(place, authorized, cancel('TIMED_OUT')))
      .when(refund, now)
      .then();

    expect(state).toMatchObject({ status: 'CANCELLED', reason: 'TIMED_OUT' });
    expect(state!.history.map((entry) => entry.type).slice(-2)).toEqual(['OrderCancelled', 'PaymentRefunded']);
  });
});

describe('versions, for the snapshots on the compacted orders topic', () => {
  it('starts at 1 and goes up by one at every change, compensations and late steps included', () => {
    expect(orderAfter(place).version).toBe(1);
    expect(orderAfter(place, authorized, reserved).version).toBe(3);
    expect(orderAfter(place, authorized, reserved, scheduled).version).toBe(5); // the step, then OrderCompleted
    expect(orderAfter(place, cancel('CUSTOMER_CANCELLED')).version).toBe(2);
    expect(orderAfter(place, reserved, scheduled, authorized).version).toBe(5); // late, but recorded
  });

  it('names in every event the version of the snapshot that leaves with it', () => {
    for (const inputs of [
      [place],
      [place, authorized, reserved, scheduled],
      [place, cancel('CUSTOMER_CANCELLED')],
      [place, step('PaymentDeclined', { customerId, amountCents: 1, reason: 'limit' })],
    ]) {
      const seen = history(...inputs);
      const published = seen.at(-1) as OrderEvent;
      expect(published.orderVersion).toBe(orderAfter(...inputs).version);
    }
  });
});
