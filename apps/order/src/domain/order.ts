/**
 * The order's part of the saga, as pure functions: given the order and what happened, the new order and the
 * events to publish. No framework, database or broker in sight, so every rule is tested with plain values.
 */
import {
  createEvent,
  type Cause,
  type OrderItem,
  type OrderPlaced,
  type PaymentEvent,
  type SagaEvent,
  type ShippingAddress,
} from '@saga/events';

export type OrderStatus = 'PENDING' | 'PAYMENT_AUTHORIZED' | 'CANCELLED';
export type CancellationReason = 'PAYMENT_DECLINED';

export type HistoryEntry = { readonly type: string; readonly at: string };

export type Order = {
  readonly id: string;
  readonly customerId: string;
  readonly items: OrderItem[];
  readonly totalCents: number;
  readonly shippingAddress: ShippingAddress;
  readonly status: OrderStatus;
  readonly reason: CancellationReason | null;
  /** The saga's steps as this service saw them, oldest first. */
  readonly history: HistoryEntry[];
  readonly placedAt: Date;
  readonly updatedAt: Date;
};

export type PlaceOrder = { customerId: string; items: OrderItem[]; shippingAddress: ShippingAddress };

/** The order after a step, and the events that step publishes. `changed: false` means nothing to save. */
export type Decision = { order: Order; events: SagaEvent[]; changed: boolean };

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['CANCELLED']);

export const orderTotal = (items: readonly OrderItem[]): number =>
  items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);

export function placeOrder(command: PlaceOrder, orderId: string, cause: Cause, now: Date): Decision {
  const placed = createEvent<OrderPlaced>(
    'OrderPlaced',
    orderId,
    { ...command, totalCents: orderTotal(command.items) },
    cause,
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
  };
  return { order, events: [placed], changed: true };
}

export function onPaymentOutcome(order: Order, event: PaymentEvent, now: Date): Decision {
  // A late or repeated outcome for an order that has ended changes nothing.
  if (TERMINAL.has(order.status) || order.status !== 'PENDING') return { order, events: [], changed: false };

  const history = [...order.history, { type: event.type, at: event.occurredAt }];
  switch (event.type) {
    case 'PaymentAuthorized':
      return { order: { ...order, status: 'PAYMENT_AUTHORIZED', history, updatedAt: now }, events: [], changed: true };
    case 'PaymentDeclined':
      return {
        order: { ...order, status: 'CANCELLED', reason: 'PAYMENT_DECLINED', history, updatedAt: now },
        events: [],
        changed: true,
      };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled payment event ${(unhandled as PaymentEvent).type}`);
    }
  }
}
