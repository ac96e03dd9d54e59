import { describe, expect, it } from '@jest/globals';
import {
  causedByRequest,
  createEvent,
  type OrderCancelled,
  type OrderCompleted,
  type PaymentAuthorized,
} from '@saga/events';
import { anOrder, given } from '@saga/testing';
import { inventory, stockMoves, type InventoryContext } from './inventory.js';

const now = new Date('2026-03-01T10:00:01Z');
const order = anOrder({ items: [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: 1500 }] });
const { orderId, customerId } = order;
const authorized = createEvent<PaymentAuthorized>(
  'PaymentAuthorized',
  orderId,
  { customerId, amountCents: order.totalCents },
  causedByRequest(),
  now,
);
const cancelled = createEvent<OrderCancelled>(
  'OrderCancelled',
  orderId,
  { customerId, reason: 'TIMED_OUT' },
  causedByRequest(),
  now,
);
const completed = createEvent<OrderCompleted>('OrderCompleted', orderId, { customerId }, causedByRequest(), now);

/** The context of a decision: the order's lines from the view, and the books showing `available` of BOOK-1. */
const inStock = (available: number): InventoryContext => ({
  now,
  lines: [{ sku: 'BOOK-1', quantity: 2 }],
  available: new Map([['BOOK-1', available]]),
});
const reservedWith = (available: number) => given(inventory).when(authorized, inStock(available)).outputs;

describe('reserving stock for a paid order', () => {
  it('reserves every line and announces StockReserved', () => {
    const { outputs } = given(inventory).when(authorized, inStock(5)).then('StockReserved');
    expect(outputs[0]!.data).toEqual({ lines: [{ sku: 'BOOK-1', quantity: 2 }] });
  });

  it('reserves nothing when a line is short, and announces StockReservationFailed naming the shortage', () => {
    const { outputs } = given(inventory).when(authorized, inStock(1)).then('StockReservationFailed');
    expect(outputs[0]!.data).toEqual({ shortages: [{ sku: 'BOOK-1', requested: 2, available: 1 }] });
  });

  it('treats a SKU it has never stocked as out of stock', () => {
    given(inventory)
      .when(authorized, { ...inStock(0), available: new Map() })
      .then('StockReservationFailed');
  });

  it('reserves once, however often the payment is reported', () => {
    given(inventory, authorized, ...reservedWith(5))
      .when(authorized, inStock(3))
      .then();
  });
});

describe('compensation and completion', () => {
  it('a cancelled order releases its reservation once, and announces StockReleased', () => {
    const { outputs } = given(inventory, authorized, ...reservedWith(5))
      .when(cancelled, inStock(3))
      .then('StockReleased');
    given(inventory, authorized, ...reservedWith(5), cancelled, ...outputs)
      .when(cancelled, inStock(5))
      .then();
  });

  it('a cancellation that arrives before the payment prevents the reservation: nothing to release later', () => {
    given(inventory, cancelled).when(authorized, inStock(5)).then();
    given(inventory, cancelled, authorized).when(cancelled, inStock(5)).then();
  });

  it('a completed order turns its reservation into a sale', () => {
    const { state } = given(inventory, authorized, ...reservedWith(5))
      .when(completed, inStock(3))
      .then();
    expect(state.reservation).toBe('SOLD');
  });
});

describe('how stock moves', () => {
  const reserved = given(inventory, authorized, ...reservedWith(5));
  const before = reserved.when(authorized, inStock(3)).state; // reserved, and asked again: nothing new

  it('a reservation takes from available what it puts in reserved', () => {
    expect(stockMoves(inventory.initialState(orderId), before)).toEqual([
      { sku: 'BOOK-1', available: -2, reserved: 2, sold: 0 },
    ]);
  });

  it('a release puts it back, and a sale moves it from reserved to sold', () => {
    const released = reserved.when(cancelled, inStock(3)).state;
    const sold = reserved.when(completed, inStock(3)).state;
    expect(stockMoves(before, released)).toEqual([{ sku: 'BOOK-1', available: 2, reserved: -2, sold: 0 }]);
    expect(stockMoves(before, sold)).toEqual([{ sku: 'BOOK-1', available: 0, reserved: -2, sold: 2 }]);
  });

  it('a failed reservation moves nothing', () => {
    const failed = given(inventory).when(authorized, inStock(1)).state;
    expect(stockMoves(inventory.initialState(orderId), failed)).toEqual([]);
  });
});
