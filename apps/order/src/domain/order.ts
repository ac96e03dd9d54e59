/**
 * The order's part of the saga, as a decider: given the order and what happened (a command from a client or the
 * deadline, or a step another service published), the events to publish; and how each changes the order. No
 * framework, database or broker in sight, so every rule is tested with plain values.
 *
 * The order service owns the order's fate: it completes the order when shipping is scheduled, and cancels it
 * (with a reason) when a step fails, the customer cancels, or the deadline passes. Every cancellation publishes
 * OrderCancelled; each other service compensates its own step on it.
 */
import {
  causedBy,
  createEvent,
  type CancellationReason,
  type Cause,
  type Decider,
  type InventoryEvent,
  type OrderCancelled,
  type OrderCompleted,
  type OrderEvent,
  type OrderItem,
  type OrderPlaced,
  type OrderStatus,
  type PaymentEvent,
  type ShippingAddress,
  type ShippingEvent,
} from '@saga/events';

export type { OrderStatus };

export type HistoryEntry = { readonly type: string; readonly at: string };

export type Order = {
  readonly id: string;
  readonly customerId: string;
  readonly items: OrderItem[];
  readonly totalCents: number;
  readonly shippingAddress: ShippingAddress;
  readonly status: OrderStatus;
  readonly reason: CancellationReason | null;
  /** The saga's steps as this service saw them, oldest first, compensations included. */
  readonly history: HistoryEntry[];
  readonly placedAt: Date;
  readonly updatedAt: Date;
  /** Of the saga run this order started: a cancellation continues the same run. */
  readonly correlationId: string;
  /** 1 when placed, plus one at every change; published with each snapshot so that views can ignore stale ones. */
  readonly version: number;
};

/** A client places an order. */
export type PlaceOrder = {
  readonly type: 'PlaceOrder';
  readonly orderId: string;
  readonly customerId: string;
  readonly items: OrderItem[];
  readonly shippingAddress: ShippingAddress;
  /** Of the saga run the order starts. */
  readonly correlationId: string;
};

/** The customer cancels, or the deadline passes. */
export type CancelOrder = {
  readonly type: 'CancelOrder';
  readonly orderId: string;
  readonly reason: CancellationReason;
};

/** The other services' events that the order service follows. */
export type SagaStep = PaymentEvent | InventoryEvent | ShippingEvent;

export type OrderInput = PlaceOrder | CancelOrder | SagaStep;

export type OrderContext = { readonly now: Date };

const progress: Record<OrderStatus, number> = {
  PENDING: 0,
  PAYMENT_AUTHORIZED: 1,
  STOCK_RESERVED: 2,
  COMPLETED: 3,
  CANCELLED: 3,
};

export const isTerminal = (order: Pick<Order, 'status'>): boolean =>
  order.status === 'COMPLETED' || order.status === 'CANCELLED';

export const orderTotal = (items: readonly OrderItem[]): number =>
  items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);

const isCommand = (input: OrderInput | OrderEvent): input is PlaceOrder | CancelOrder =>
  input.type === 'PlaceOrder' || input.type === 'CancelOrder';

/** Why a failed step cancels the order. */
const failures: Partial<Record<SagaStep['type'], CancellationReason>> = {
  PaymentDeclined: 'PAYMENT_DECLINED',
  StockReservationFailed: 'OUT_OF_STOCK',
  ShipmentFailed: 'SHIPPING_UNAVAILABLE',
};

export const order: Decider<Order | null, OrderInput, OrderEvent, OrderContext> = {
  initialState: () => null,

  decide(current, input, { now }) {
    if (input.type === 'PlaceOrder') {
      if (current) return []; // placed already
      const { customerId, items, shippingAddress, correlationId } = input;
      const cause: Cause = { correlationId, causationId: null, orderVersion: 1 };
      const data = { customerId, items, totalCents: orderTotal(items), shippingAddress };
      return [createEvent<OrderPlaced>('OrderPlaced', input.orderId, data, cause, now)];
    }
    if (!current || isTerminal(current)) return [];
    // An event leaves with the order's snapshot after this decision: a step is one change, the event another.
    const cause: Cause = isCommand(input)
      ? { correlationId: current.correlationId, causationId: null, orderVersion: current.version + 1 }
      : { ...causedBy(input), orderVersion: current.version + 2 };
    const publish = <E extends OrderEvent>(type: E['type'], data: E['data']) =>
      createEvent<E>(type, current.id, data, cause, now);
    if (input.type === 'CancelOrder') {
      return [publish<OrderCancelled>('OrderCancelled', { customerId: current.customerId, reason: input.reason })];
    }
    if (input.type === 'ShipmentScheduled') {
      return [publish<OrderCompleted>('OrderCompleted', { customerId: current.customerId })];
    }
    const reason = failures[input.type];
    return reason ? [publish<OrderCancelled>('OrderCancelled', { customerId: current.customerId, reason })] : [];
  },

  evolve(current, event) {
    if (isCommand(event)) return current; // what a command changes, its events say
    if (event.type === 'OrderPlaced') {
      const at = new Date(event.occurredAt);
      const { customerId, items, totalCents, shippingAddress } = event.data;
      return {
        id: event.orderId,
        customerId,
        items,
        totalCents,
        shippingAddress,
        status: 'PENDING',
        reason: null,
        history: [{ type: event.type, at: event.occurredAt }],
        placedAt: at,
        updatedAt: at,
        correlationId: event.correlationId,
        version: 1,
      };
    }
    if (!current) return current;
    // Every change is logged and gets a new version. A step that arrives after the order has ended changes
    // nothing else, so the timeline shows it; its service compensates on OrderCancelled, or has already.
    const revised = {
      ...current,
      history: [...current.history, { type: event.type, at: event.occurredAt }],
      updatedAt: new Date(event.occurredAt),
      version: current.version + 1,
    };
    switch (event.type) {
      case 'OrderCompleted':
        return { ...revised, status: 'COMPLETED' };
      case 'OrderCancelled':
        return { ...revised, status: 'CANCELLED', reason: event.data.reason };
      case 'PaymentAuthorized':
      case 'StockReserved': {
        // Steps arrive on different topics, so not always in saga order: the status only moves forward.
        const status: OrderStatus = event.type === 'PaymentAuthorized' ? 'PAYMENT_AUTHORIZED' : 'STOCK_RESERVED';
        const ahead = !isTerminal(current) && progress[status] > progress[current.status];
        return ahead ? { ...revised, status } : revised;
      }
      default:
        return revised;
    }
  },
};
