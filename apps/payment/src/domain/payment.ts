/**
 * The payment service's part of the saga, as pure functions. A customer has a credit limit; a payment is
 * authorized when the order total fits in the credit still available, and declined otherwise. When the order is
 * cancelled, an authorized payment is refunded: the compensation gives the credit back, once.
 */
import {
  causedBy,
  createEvent,
  type Cause,
  type OrderCancelled,
  type OrderSnapshot,
  type PaymentRefunded,
  type PaymentAuthorized,
  type PaymentDeclined,
  type PaymentEvent,
} from '@saga/events';

export type CreditAccount = {
  readonly customerId: string;
  readonly limitCents: number;
  /** Credit taken by authorized payments that have not been refunded. */
  readonly usedCents: number;
};

export type PaymentStatus = 'AUTHORIZED' | 'DECLINED' | 'REFUNDED';

export type Payment = {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly status: PaymentStatus;
  readonly declineReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
};

export type PaymentDecision = { account: CreditAccount; payment: Payment; events: PaymentEvent[] };

export const availableCredit = (account: CreditAccount): number => account.limitCents - account.usedCents;

export const newAccount = (customerId: string, limitCents: number): CreditAccount => ({
  customerId,
  limitCents,
  usedCents: 0,
});

/**
 * A cancellation can overtake the request for payment (an OrderPlaced dead-lettered, then redriven after the order
 * was cancelled): a cancelled order is never charged, since nothing would refund it.
 */
export const mayCharge = (order: Pick<OrderSnapshot, 'status'>): boolean => order.status !== 'CANCELLED';

/** The order as the payment service's view has it; `cause` is the OrderPlaced event that asks for the payment. */
export function authorizePayment(
  account: CreditAccount,
  order: Pick<OrderSnapshot, 'orderId' | 'customerId' | 'totalCents'>,
  cause: Cause,
  now: Date,
): PaymentDecision {
  const { customerId, totalCents: amountCents } = order;
  const payment = { orderId: order.orderId, customerId, amountCents, createdAt: now, updatedAt: now };

  if (amountCents > availableCredit(account)) {
    const reason = `credit limit exceeded: ${amountCents} cents requested, ${availableCredit(account)} available`;
    return {
      account,
      payment: { ...payment, status: 'DECLINED', declineReason: reason },
      events: [
        createEvent<PaymentDeclined>('PaymentDeclined', order.orderId, { customerId, amountCents, reason }, cause, now),
      ],
    };
  }
  return {
    account: { ...account, usedCents: account.usedCents + amountCents },
    payment: { ...payment, status: 'AUTHORIZED', declineReason: null },
    events: [
      createEvent<PaymentAuthorized>('PaymentAuthorized', order.orderId, { customerId, amountCents }, cause, now),
    ],
  };
}

/** Compensation for a cancelled order: refunds an authorized payment; anything else has nothing to undo. */
export function refundPayment(
  account: CreditAccount,
  payment: Payment,
  cancelled: OrderCancelled,
  now: Date,
): PaymentDecision | null {
  if (payment.status !== 'AUTHORIZED') return null;
  const { customerId, amountCents } = payment;
  return {
    account: { ...account, usedCents: account.usedCents - amountCents },
    payment: { ...payment, status: 'REFUNDED', updatedAt: now },
    events: [
      createEvent<PaymentRefunded>(
        'PaymentRefunded',
        payment.orderId,
        { customerId, amountCents },
        causedBy(cancelled),
        now,
      ),
    ],
  };
}
