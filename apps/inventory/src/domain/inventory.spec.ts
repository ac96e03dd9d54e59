import { describe, expect, it } from '@jest/globals';
import {
  causedByRequest,
  createEvent,
  type OrderCancelled,
  type OrderCompleted,
  type PaymentAuthorized,
} from '@saga/events';
import { anOrderPlaced } from '@saga/testing';
import {
  decide,
  learn,
  needsItems,
  noFacts,
  withItems,
  type InventoryFact,
  type OrderFacts,
  type StockItem,
} from './inventory.js';

const now = new Date('2026-03-01T10:00:01Z');
const placed = anOrderPlaced({ totalCents: 3000 }); // one line: BOOK-1 x 1; what the order view holds
const { orderId } = placed;
const customerId = placed.data.customerId;
const authorized = createEvent<PaymentAuthorized>(
  'PaymentAuthorized',
  orderId,
  { customerId, amountCents: 3000 },
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

type World = { facts: OrderFacts; stock: Map<string, StockItem>; published: string[] };

/** Feeds facts one by one, as the consumer does (items from the view when needed), keeping stock and events. */
const given = (available: number, ...facts: InventoryFact[]): World => {
  const world: World = {
    facts: noFacts(orderId, now),
    stock: new Map([['BOOK-1', { sku: 'BOOK-1', available, reserved: 0, sold: 0 }]]),
    published: [],
  };
  for (const fact of facts) {
    const learned = learn(world.facts, fact, now);
    const decision = decide(
      needsItems(learned) ? withItems(learned, placed.data.items) : learned,
      world.stock,
      fact,
      now,
    );
    world.facts = decision.facts;
    for (const item of decision.stock) world.stock.set(item.sku, item);
    world.published.push(...decision.events.map((event) => event.type));
  }
  return world;
};
const book = (world: World) => world.stock.get('BOOK-1');

describe('reserving stock for a paid order', () => {
  it('reserves every line and announces StockReserved', () => {
    const world = given(5, authorized);

    expect(book(world)).toEqual({ sku: 'BOOK-1', available: 4, reserved: 1, sold: 0 });
    expect(world.published).toEqual(['StockReserved']);
  });

  it('reserves nothing when a line is short, and announces StockReservationFailed naming the shortage', () => {
    const world = given(0, authorized);

    expect(book(world)).toEqual({ sku: 'BOOK-1', available: 0, reserved: 0, sold: 0 });
    expect(world.published).toEqual(['StockReservationFailed']);
  });

  it('treats a SKU it has never stocked as out of stock', () => {
    const decision = decide(
      withItems(learn(noFacts(orderId, now), authorized, now), placed.data.items),
      new Map(),
      authorized,
      now,
    );

    expect(decision.events).toEqual([
      expect.objectContaining({
        type: 'StockReservationFailed',
        data: { shortages: [{ sku: 'BOOK-1', requested: 1, available: 0 }] },
      }),
    ]);
  });

  it('reads the items from the view only for a reservation', () => {
    const facts = learn(noFacts(orderId, now), authorized, now);

    expect(needsItems(facts)).toBe(true);
    expect(needsItems(withItems(facts, placed.data.items))).toBe(false);
    expect(needsItems(learn(facts, cancelled, now))).toBe(false); // nothing will be reserved
  });
});

describe('compensation and completion', () => {
  it('a cancelled order releases its reservation once, and announces StockReleased', () => {
    const world = given(5, authorized, cancelled, cancelled);

    expect(book(world)).toEqual({ sku: 'BOOK-1', available: 5, reserved: 0, sold: 0 });
    expect(world.published).toEqual(['StockReserved', 'StockReleased']);
  });

  it('a cancellation that arrives before the payment prevents the reservation: nothing to release later', () => {
    const world = given(5, cancelled, authorized);

    expect(book(world)).toEqual({ sku: 'BOOK-1', available: 5, reserved: 0, sold: 0 });
    expect(world.published).toEqual([]);
  });

  it('a completed order turns its reservation into a sale', () => {
    const world = given(5, authorized, completed);

    expect(book(world)).toEqual({ sku: 'BOOK-1', available: 4, reserved: 0, sold: 1 });
    expect(world.facts.reservation).toBe('SOLD');
  });
});
