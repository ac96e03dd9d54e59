import { describe, expect, it } from '@jest/globals';
import { causedBy, createEvent, type OrderCancelled, type OrderPlaced } from '@saga/events';
import { anOrder } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { authorizePayment, availableCredit, mayCharge, newAccount, refundPayment } from './payment.js';

const now = new Date('2026-03-01T10:00:01Z');
const customerId = randomUUID();

const orderPlaced = (totalCents: number) =>
  anOrder({ customerId, items: [{ sku: 'BOOK-1', quantity: 1, unitPriceCents: totalCents }] }).placed(
    new Date('2026-03-01T10:00:00Z'),
  );

/** What the payment service's order view holds for the order. */
const terms = (order: OrderPlaced) => ({ orderId: order.orderId, ...order.data });

describe('authorizing the payment of a placed order', () => {
  it('authorizes an order that fits the available credit, and takes the amount from it', () => {
    const order = orderPlaced(40_000);
    const { account, payment, events } = authorizePayment(
      { ...newAccount(customerId, 100_000), usedCents: 60_000 },
      terms(order),
      causedBy(order),
      now,
    );

    expect(payment).toMatchObject({ orderId: order.orderId, status: 'AUTHORIZED', amountCents: 40_000 });
    expect(availableCredit(account)).toBe(0);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'PaymentAuthorized',
        orderId: order.orderId,
        correlationId: order.correlationId,
        causationId: order.id,
        data: { customerId, amountCents: 40_000 },
      }),
    ]);
  });

  it('declines an order over the available credit, says why, and leaves the credit untouched', () => {
    const order = orderPlaced(40_001);
    const before = { ...newAccount(customerId, 100_000), usedCents: 60_000 };
    const { account, payment, events } = authorizePayment(before, terms(order), causedBy(order), now);

    expect(account).toBe(before);
    expect(payment).toMatchObject({ status: 'DECLINED', declineReason: expect.stringContaining('credit limit') });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'PaymentDeclined',
        data: { customerId, amountCents: 40_001, reason: expect.stringContaining('40000 available') },
      }),
    ]);
  });
});

describe('a request for payment that comes after the cancellation', () => {
  it('charges nothing for a cancelled order (nothing would refund it); a running or completed one may be charged', () => {
    expect(mayCharge({ status: 'CANCELLED' })).toBe(false);
    expect(mayCharge({ status: 'PENDING' })).toBe(true);
    expect(mayCharge({ status: 'COMPLETED' })).toBe(true);
  });
});

describe('when the order is cancelled', () => {
  const cancelled = (order: OrderPlaced) =>
    createEvent<OrderCancelled>(
      'OrderCancelled',
      order.orderId,
      { customerId, reason: 'OUT_OF_STOCK' },
      causedBy(order),
      now,
    );

  it('refunds an authorized payment, gives the credit back and announces PaymentRefunded', () => {
    const order = orderPlaced(40_000);
    const authorized = authorizePayment(newAccount(customerId, 100_000), terms(order), causedBy(order), now);

    const refund = refundPayment(authorized.account, authorized.payment, cancelled(order), now);

    expect(refund?.payment.status).toBe('REFUNDED');
    expect(availableCredit(refund!.account)).toBe(100_000);
    expect(refund?.events).toEqual([
      expect.objectContaining({ type: 'PaymentRefunded', data: { customerId, amountCents: 40_000 } }),
    ]);
  });

  it('has nothing to undo for a declined payment, nor for one already refunded', () => {
    const order = orderPlaced(400_000);
    const declined = authorizePayment(newAccount(customerId, 100_000), terms(order), causedBy(order), now);
    expect(refundPayment(declined.account, declined.payment, cancelled(order), now)).toBeNull();

    const small = orderPlaced(1_000);
    const authorized = authorizePayment(newAccount(customerId, 100_000), terms(small), causedBy(small), now);
    const refunded = refundPayment(authorized.account, authorized.payment, cancelled(small), now)!;
    expect(refundPayment(refunded.account, refunded.payment, cancelled(small), now)).toBeNull();
  });
});
