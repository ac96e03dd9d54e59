/**
 * The inventory's part of the saga, as pure functions.
 *
 * What inventory hears about an order reaches it on two topics: the go-ahead with PaymentAuthorized
 * (payment-events), the end with OrderCancelled or OrderCompleted (order-events). Topics are not ordered with
 * each other, so inventory keeps the facts it has learned about each order and decides from them, whatever their
 * arrival order: reserve all-or-nothing once the payment is authorized; release when the order is cancelled;
 * turn the reservation into a sale when the order completes. A cancellation that arrives first prevents the
 * reservation. The items to reserve come from the service's order view (see `needsItems`).
 */
import {
  causedBy,
  createEvent,
  type OrderCancelled,
  type OrderCompleted,
  type OrderItem,
  type PaymentAuthorized,
  type StockLine,
  type StockReleased,
  type StockReservationFailed,
  type StockReserved,
  type InventoryEvent,
} from '@saga/events';

export type StockItem = {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
};

export type ReservationStatus = 'NONE' | 'RESERVED' | 'FAILED' | 'RELEASED' | 'SOLD';

/** Everything inventory has learned about one order. */
export type OrderFacts = {
  readonly orderId: string;
  /** The order's items, one line per SKU, from the order view; null until a decision needs them. */
  readonly lines: StockLine[] | null;
  readonly paymentAuthorized: boolean;
  readonly cancelled: boolean;
  readonly completed: boolean;
  readonly reservation: ReservationStatus;
  readonly updatedAt: Date;
};

export type InventoryFact = PaymentAuthorized | OrderCancelled | OrderCompleted;

export type InventoryDecision = { facts: OrderFacts; stock: StockItem[]; events: InventoryEvent[] };

export const noFacts = (orderId: string, now: Date): OrderFacts => ({
  orderId,
  lines: null,
  paymentAuthorized: false,
  cancelled: false,
  completed: false,
  reservation: 'NONE',
  updatedAt: now,
});

/** One line per SKU, quantities added up. */
export const linesOf = (items: readonly OrderItem[]): StockLine[] => {
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of items) quantities.set(sku, (quantities.get(sku) ?? 0) + quantity);
  return [...quantities].map(([sku, quantity]) => ({ sku, quantity }));
};

/** True when the next decision is a reservation and the order's items are not known yet: read them from the view. */
export const needsItems = (facts: OrderFacts): boolean =>
  facts.lines === null && facts.paymentAuthorized && !facts.cancelled && facts.reservation === 'NONE';

export const withItems = (facts: OrderFacts, items: readonly OrderItem[]): OrderFacts => ({
  ...facts,
  lines: linesOf(items),
});

export function learn(facts: OrderFacts, event: InventoryFact, now: Date): OrderFacts {
  switch (event.type) {
    case 'PaymentAuthorized':
      return { ...facts, paymentAuthorized: true, updatedAt: now };
    case 'OrderCancelled':
      return { ...facts, cancelled: true, updatedAt: now };
    case 'OrderCompleted':
      return { ...facts, completed: true, updatedAt: now };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled fact ${(unhandled as InventoryFact).type}`);
    }
  }
}

/**
 * What to do now, given the facts and the current stock of the order's SKUs (a SKU never stocked has 0).
 * `trigger` is the event that taught the last fact; the events published are caused by it.
 */
export function decide(
  facts: OrderFacts,
  stock: ReadonlyMap<string, StockItem>,
  trigger: InventoryFact,
  now: Date,
): InventoryDecision {
  const nothing: InventoryDecision = { facts, stock: [], events: [] };
  const lines = facts.lines;
  if (!lines) return nothing;
  const itemOf = (sku: string): StockItem => stock.get(sku) ?? { sku, available: 0, reserved: 0, sold: 0 };
  const publish = <E extends InventoryEvent>(type: E['type'], data: E['data']) =>
    createEvent<E>(type, facts.orderId, data, causedBy(trigger), now);

  if (facts.cancelled) {
    if (facts.reservation !== 'RESERVED') return nothing;
    return {
      facts: { ...facts, reservation: 'RELEASED' },
      stock: lines.map(({ sku, quantity }) => {
        const item = itemOf(sku);
        return { ...item, available: item.available + quantity, reserved: item.reserved - quantity };
      }),
      events: [publish<StockReleased>('StockReleased', { lines })],
    };
  }

  if (facts.completed && facts.reservation === 'RESERVED') {
    return {
      facts: { ...facts, reservation: 'SOLD' },
      stock: lines.map(({ sku, quantity }) => {
        const item = itemOf(sku);
        return { ...item, reserved: item.reserved - quantity, sold: item.sold + quantity };
      }),
      events: [],
    };
  }

  if (facts.paymentAuthorized && facts.reservation === 'NONE') {
    const shortages = lines
      .map(({ sku, quantity }) => ({ sku, requested: quantity, available: itemOf(sku).available }))
      .filter((line) => line.available < line.requested);
    if (shortages.length > 0) {
      return {
        facts: { ...facts, reservation: 'FAILED' },
        stock: [],
        events: [publish<StockReservationFailed>('StockReservationFailed', { shortages })],
      };
    }
    return {
      facts: { ...facts, reservation: 'RESERVED' },
      stock: lines.map(({ sku, quantity }) => {
        const item = itemOf(sku);
        return { ...item, available: item.available - quantity, reserved: item.reserved + quantity };
      }),
      events: [publish<StockReserved>('StockReserved', { lines })],
    };
  }

  return nothing;
}
