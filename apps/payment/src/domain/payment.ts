/**
 * The payment service's part of the saga, as a decider. A customer has a credit limit; the payment of a placed
 * order is authorized when its total fits in the credit still available, and declined otherwise, once per order.
 * When the order is cancelled, an authorized payment is refunded: the compensation gives the credit back, once.
 * Payment keeps the facts of each order, whatever order they arrive in: a cancellation heard first means the
 * order is never charged, even if an OrderPlaced comes later (a redrive, a consumer group that lost its offsets).
 * The order (customer, total, status) comes from the service's view of the orders, and the credit available from
 * the customer's account, through the context; how each change of a payment moves credit is `creditMove`.
 */
import {
  causedBy,
  createEvent,
  type Decider,
  type OrderCancelled,
  type OrderPlaced,
  type OrderSnapshot,
  type PaymentAuthorized,
  type PaymentDeclined,
  type PaymentEvent,
  type PaymentRefunded,
} from '@saga/events';

export type CreditAccount = {
  readonly customerId: string;
  readonly limitCents: number;
  /** Credit taken by authorized payments that have not been refunded. */
  readonly usedCents: number;
};

export type PaymentStatus = 'NONE' | 'AUTHORIZED' | 'DECLINED' | 'REFUNDED';

/** What payment knows of one order's payment. */
export type Payment = {
  readonly orderId: string;
  readonly customerId: string | null;
  readonly amountCents: number;
  readonly status: PaymentStatus;
  readonly declineReason: string | null;
  /** The order was cancelled: nothing may be charged any more. */
  readonly cancelled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
};

export type PaymentInput = OrderPlaced | OrderCancelled;

/** What a decision needs from outside the order's payment. */
export type PaymentContext = {
  readonly now: Date;
  /** The order, from the order view; null when the decision does not need it. */
  readonly order: Pick<OrderSnapshot, 'customerId' | 'totalCents' | 'status'> | null;
  /** Credit the customer has left. */
  readonly availableCents: number;
};

export const availableCredit = (account: CreditAccount): number => account.limitCents - account.usedCents;

export const newAccount = (customerId: string, limitCents: number): CreditAccount => ({
  customerId,
  limitCents,
  usedCents: 0,
});

export const payment: Decider<Payment, PaymentInput, PaymentEvent, PaymentContext> = {
  initialState: (orderId) => ({
    orderId,
    customerId: null,
    amountCents: 0,
    status: 'NONE',
    declineReason: null,
    cancelled: false,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  }),

  decide(state, input, { now, order, availableCents }) {
    const publish = <E extends PaymentEvent>(type: E['type'], data: E['data']) =>
      createEvent<E>(type, state.orderId, data, causedBy(input), now);
    switch (input.type) {
      case 'OrderPlaced': {
        // Once per order. A cancellation can overtake the request for payment (an OrderPlaced dead-lettered,
        // then redriven after the order was cancelled): a cancelled order is never charged, as nothing would
        // refund it. Payment's own fact decides; the view's status is a second opinion.
        if (state.status !== 'NONE' || state.cancelled) return [];
        if (order === null || order.status === 'CANCELLED') return [];
        const { customerId, totalCents: amountCents } = order;
        if (amountCents > availableCents) {
          const reason = `credit limit exceeded: ${amountCents} cents requested, ${availableCents} available`;
          return [publish<PaymentDeclined>('PaymentDeclined', { customerId, amountCents, reason })];
        }
        return [publish<PaymentAuthorized>('PaymentAuthorized', { customerId, amountCents })];
      }
      case 'OrderCancelled':
        if (state.status !== 'AUTHORIZED') return [];
        return [
          publish<PaymentRefunded>('PaymentRefunded', {
            customerId: state.customerId!,
            amountCents: state.amountCents,
          }),
        ];
    }
  },

  evolve(state, event) {
    const at = new Date(event.occurredAt);
    switch (event.type) {
      case 'OrderPlaced':
        return state; // what matters of it is in the view
      case 'OrderCancelled':
        return { ...state, cancelled: true, createdAt: state.status === 'NONE' ? at : state.createdAt, updatedAt: at };
      case 'PaymentAuthorized':
        return { ...state, ...event.data, status: 'AUTHORIZED', createdAt: at, updatedAt: at };
      case 'PaymentDeclined': {
        const { customerId, amountCents, reason } = event.data;
        return {
          ...state,
          customerId,
          amountCents,
          status: 'DECLINED',
          declineReason: reason,
          createdAt: at,
          updatedAt: at,
        };
      }
      case 'PaymentRefunded':
        return { ...state, status: 'REFUNDED', updatedAt: at };
    }
  },
};

/** The credit a change of a payment takes (positive) or gives back (negative). */
export function creditMove(before: Payment, after: Payment): number {
  if (before.status === 'NONE' && after.status === 'AUTHORIZED') return after.amountCents;
  if (before.status === 'AUTHORIZED' && after.status === 'REFUNDED') return -after.amountCents;
  return 0;
}
