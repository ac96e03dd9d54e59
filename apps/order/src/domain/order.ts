/**
 * The order's part of the saga, as pure functions: given the order and what happened, the new order and the
 * events to publish. No framework, database or broker in sight, so every rule is tested with plain values.
 *
 * The order service owns the order's fate: it completes the order when shipping is scheduled, and cancels it
 * (with a reason) when a step fails, the customer cancels, or the deadline passes. Every cancellation publishes
 * OrderCancelled; each other service compensates its own step on it.
 */
import {
  createEvent,
  causedBy,
  type Cause,
  type CancellationReason,
  type InventoryEvent,
  type OrderCancelled,
  type OrderCompleted,
  type OrderItem,
  type OrderPlaced,
  type OrderStatus,
  type PaymentEvent,
  type SagaEvent,
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

export type PlaceOrder = { customerId: string; items: OrderItem[]; shippingAddress: ShippingAddress };

/** The order after a step, and the events that step publishes. `changed: false` means nothing to save. */
export type Decision = { order: Order; events: SagaEvent[]; changed: boolean };

/** The other services' events that the order service follows. */
export type SagaStep = PaymentEvent | InventoryEvent | ShippingEvent;

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

const unchanged = (order: Order): Decision => ({ order, events: [], changed: false });
/** Every change goes through here, so that every change gets a new version. */
const revise = (order: Order, changes: Partial<Order>, now: Date): Order => ({
  ...order,
  ...changes,
  version: order.version + 1,
  updatedAt: now,
});
/**
 * The cause of an event that a change to `order` publishes: it was decided with the order's next version, the
 * snapshot that leaves with it, so a service that reads the order from its view waits for that version.
 */
const decidedWith = (order: Order, cause: Cause): Cause => ({ ...cause, orderVersion: order.version + 1 });
const logged = (order: Order, event: SagaEvent): HistoryEntry[] => [
  ...order.history,
  { type: event.type, at: event.occurredAt },
];

export function placeOrder(command: PlaceOrder, orderId: string, cause: Cause, now: Date): Decision {
  const placed = createEvent<OrderPlaced>(
    'OrderPlaced',
    orderId,
    { ...command, totalCents: orderTotal(command.items) },
    { ...cause, orderVersion: 1 },
    now,
  );
  const order: Order = {
    id: orderId,
    ...command,
    totalCents: placed.data.totalCents,
    status: 'PENDING',
    reason: null,
    history: [{ type: placed.type, at: placed.occurredAt }],
    placedAt: now,
    updatedAt: now,
    correlationId: cause.correlationId,
    version: 1,
  };
  return { order, events: [placed], changed: true };
}

/** Cancels a running order and announces it, so that every step already taken is compensated. */
export function cancelOrder(
  order: Order,
  reason: CancellationReason,
  now: Date,
  cause: Cause = { correlationId: order.correlationId, causationId: null, orderVersion: order.version },
): Decision {
  if (isTerminal(order)) return unchanged(order);
  const cancelled = createEvent<OrderCancelled>(
    'OrderCancelled',
    order.id,
    { customerId: order.customerId, reason },
    decidedWith(order, cause),
    now,
  );
  return {
    order: revise(order, { status: 'CANCELLED', reason, history: logged(order, cancelled) }, now),
    events: [cancelled],
    changed: true,
  };
}

/** Cancels the order with TIMED_OUT when it is still running `deadlineMs` after it was placed. */
export function enforceDeadline(order: Order, deadlineMs: number, now: Date): Decision {
  if (now.getTime() - order.placedAt.getTime() < deadlineMs) return unchanged(order);
  return cancelOrder(order, 'TIMED_OUT', now);
}

export function onSagaStep(order: Order, event: SagaStep, now: Date): Decision {
  const cause = causedBy(event);
  // A step that arrives after the order has ended changes nothing but the history, so the timeline shows it.
  // Its service compensates on OrderCancelled, or has already.
  const record = (): Decision => ({
    order: revise(order, { history: logged(order, event) }, now),
    events: [],
    changed: true,
  });
  const advanceTo = (status: OrderStatus): Decision =>
    isTerminal(order)
      ? record()
      : {
          // Steps arrive on different topics, so not always in saga order: status only moves forward.
          order: revise(
            order,
            {
              status: progress[status] > progress[order.status] ? status : order.status,
              history: logged(order, event),
            },
            now,
          ),
          events: [],
          changed: true,
        };
  const cancelBecause = (reason: CancellationReason): Decision =>
    isTerminal(order) ? record() : cancelOrder({ ...order, history: logged(order, event) }, reason, now, cause);

  switch (event.type) {
    case 'PaymentAuthorized':
      return advanceTo('PAYMENT_AUTHORIZED');
    case 'StockReserved':
      return advanceTo('STOCK_RESERVED');
    case 'ShipmentScheduled': {
      if (isTerminal(order)) return record();
      const completed = createEvent<OrderCompleted>(
        'OrderCompleted',
        order.id,
        { customerId: order.customerId },
        decidedWith(order, cause),
        now,
      );
      const history = [...logged(order, event), { type: completed.type, at: completed.occurredAt }];
      return { order: revise(order, { status: 'COMPLETED', history }, now), events: [completed], changed: true };
    }
    case 'PaymentDeclined':
      return cancelBecause('PAYMENT_DECLINED');
    case 'StockReservationFailed':
      return cancelBecause('OUT_OF_STOCK');
    case 'ShipmentFailed':
      return cancelBecause('SHIPPING_UNAVAILABLE');
    // Compensations: they come after the cancellation and change nothing but the history.
    case 'PaymentRefunded':
    case 'StockReleased':
    case 'ShipmentCancelled':
      return record();
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled saga step ${(unhandled as SagaEvent).type}`);
    }
  }
}
