/**
 * The inventory's part of the saga, as a decider.
 *
 * What inventory hears about an order reaches it on two topics: the go-ahead with PaymentAuthorized
 * (payment-events), the end with OrderCancelled or OrderCompleted (order-events). Topics are not ordered with each
 * other, so inventory keeps the facts it has learned about each order and decides from them, whatever their
 * arrival order: reserve all or nothing once the payment is authorized; release when the order is cancelled; turn
 * the reservation into a sale when the order completes. A cancellation that arrives first prevents the
 * reservation. The items come from the service's view of the orders, and the stock levels from the stock table,
 * through the context; how each change of the facts moves stock is `stockMoves`.
 */
import {
  causedBy,
  createEvent,
  type Decider,
  type InventoryEvent,
  type OrderCancelled,
  type OrderCompleted,
  type OrderItem,
  type PaymentAuthorized,
  type StockLine,
  type StockReleased,
  type StockReservationFailed,
  type StockReserved,
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
  /** The order's lines, one per SKU, once they were reserved. */
  readonly lines: StockLine[] | null;
  readonly paymentAuthorized: boolean;
  readonly cancelled: boolean;
  readonly completed: boolean;
  readonly reservation: ReservationStatus;
  readonly updatedAt: Date;
};

export type InventoryInput = PaymentAuthorized | OrderCancelled | OrderCompleted;

/** What a decision needs from outside the order. */
export type InventoryContext = {
  readonly now: Date;
  /** The order's lines, from the order view; null when the decision does not need them. */
  readonly lines: StockLine[] | null;
  /** Units available of each of those SKUs (a SKU never stocked has none). */
  readonly available: ReadonlyMap<string, number>;
};

/** One line per SKU, quantities added up. */
export const linesOf = (items: readonly OrderItem[]): StockLine[] => {
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of items) quantities.set(sku, (quantities.get(sku) ?? 0) + quantity);
  return [...quantities].map(([sku, quantity]) => ({ sku, quantity }));
};

export const inventory: Decider<OrderFacts, InventoryInput, InventoryEvent, InventoryContext> = {
  initialState: (orderId) => ({
    orderId,
    lines: null,
    paymentAuthorized: false,
    cancelled: false,
    completed: false,
    reservation: 'NONE',
    updatedAt: new Date(0),
  }),

  decide(facts, input, { now, lines, available }) {
    const publish = <E extends InventoryEvent>(type: E['type'], data: E['data']) =>
      createEvent<E>(type, facts.orderId, data, causedBy(input), now);
    switch (input.type) {
      case 'PaymentAuthorized': {
        if (facts.cancelled || facts.reservation !== 'NONE' || lines === null) return [];
        const shortages = lines
          .map(({ sku, quantity }) => ({ sku, requested: quantity, available: available.get(sku) ?? 0 }))
          .filter((line) => line.available < line.requested);
        if (shortages.length > 0) {
          return [publish<StockReservationFailed>('StockReservationFailed', { shortages })];
        }
        return [publish<StockReserved>('StockReserved', { lines })];
      }
      case 'OrderCancelled':
        if (facts.reservation !== 'RESERVED') return [];
        return [publish<StockReleased>('StockReleased', { lines: facts.lines! })];
      case 'OrderCompleted':
        return []; // the sale is a change of the facts (evolve), which moves stock (stockMoves)
    }
  },

  evolve(facts, event) {
    const at = { updatedAt: new Date(event.occurredAt) };
    switch (event.type) {
      case 'PaymentAuthorized':
        return { ...facts, ...at, paymentAuthorized: true };
      case 'OrderCancelled':
        return { ...facts, ...at, cancelled: true };
      case 'OrderCompleted':
        return {
          ...facts,
          ...at,
          completed: true,
          reservation: facts.reservation === 'RESERVED' ? 'SOLD' : facts.reservation,
        };
      case 'StockReserved':
        return { ...facts, ...at, reservation: 'RESERVED', lines: event.data.lines };
      case 'StockReservationFailed':
        return { ...facts, ...at, reservation: 'FAILED' };
      case 'StockReleased':
        return { ...facts, ...at, reservation: 'RELEASED' };
    }
  },
};

/** How much of a SKU moves between available, reserved and sold. */
export type StockMove = {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
};

/** The stock that moves when an order's facts go from `before` to `after`: a reservation, a release or a sale. */
export function stockMoves(before: OrderFacts, after: OrderFacts): StockMove[] {
  if (before.reservation === after.reservation || after.lines === null) return [];
  const move = (available: number, reserved: number, sold: number) =>
    after.lines!.map(({ sku, quantity }) => ({
      sku,
      available: available * quantity,
      reserved: reserved * quantity,
      sold: sold * quantity,
    }));
  switch (after.reservation) {
    case 'RESERVED':
      return move(-1, +1, 0);
    case 'RELEASED':
      return move(+1, -1, 0);
    case 'SOLD':
      return move(0, -1, +1);
    default:
      return [];
  }
}
