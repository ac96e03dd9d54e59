import { describe, expect, it } from '@jest/globals';
import { causedBy, createEvent, type OrderCancelled, type OrderPlaced } from '@saga/events';
import { anOrder, given } from '@saga/testing';
import { creditMove, payment, type PaymentContext } from './payment.js';

const now = new Date('2026-03-01T10:00:01Z');
const order = anOrder({ items: [{ sku: 'BOOK-1', quantity: 1, unitPriceCents: 40_000 }] });
const placed = order.placed(new Date('2026-03-01T10:00:00Z'));
const cancelled = (cause: OrderPlaced = placed) =>
  createEvent<OrderCancelled>(
    'OrderCancelled',
    order.orderId,
    { customerId: order.customerId, reason: 'OUT_OF_STOCK' },
    causedBy(cause),
    now,
  );

/** The context of the decision on OrderPlaced: the order as the view has it, and the credit the customer has left. */
const credit = (availableCents: number, status: 'PENDING' | 'CANCELLED' = 'PENDING'): PaymentContext => ({
  now,
  order: { customerId: order.customerId, totalCents: order.totalCents, status },
  availableCents,
});
const nothingNeeded: PaymentContext = { now, order: null, availableCents: 0 };
const authorizedWith = () => given(payment).when(placed, credit(100_000)).outputs;

describe('charging a placed order', () => {
  it('authorizes an order that fits the available credit, takes the amount, and announces PaymentAuthorized', () => {
    const { outputs, state } = given(payment).when(placed, credit(40_000)).then('PaymentAuthorized');

    expect(outputs[0]).toMatchObject({
      orderId: order.orderId,
      correlationId: placed.correlationId,
      causationId: placed.id,
      orderVersion: placed.orderVersion,
      data: { customerId: order.customerId, amountCents: 40_000 },
    });
    expect(creditMove(payment.initialState(order.orderId), state)).toBe(40_000);
  });

  it('declines an order over the available credit, says why, and takes nothing', () => {
    const { outputs, state } = given(payment).when(placed, credit(39_999)).then('PaymentDeclined');

    expect(outputs[0]!.data).toMatchObject({ reason: 'credit limit exceeded: 40000 cents requested, 39999 available' });
    expect(creditMove(payment.initialState(order.orderId), state)).toBe(0);
  });

  it('charges an order once, even when it is asked again (a second OrderPlaced the inbox does not know)', () => {
    given(payment, placed, ...authorizedWith())
      .when(order.placed(), credit(100_000))
      .then();
  });

  it('charges nothing for an order already cancelled (a late or redriven OrderPlaced)', () => {
    given(payment).when(placed, credit(100_000, 'CANCELLED')).then();
  });

  it('remembers a cancellation heard first: a later OrderPlaced charges nothing, whatever the view says', () => {
    const { state } = given(payment).when(cancelled(), nothingNeeded).then();
    expect(state).toMatchObject({ status: 'NONE', cancelled: true });
    given(payment, cancelled()).when(placed, credit(100_000, 'PENDING')).then();
  });
});

describe('when the order is cancelled', () => {
  it('refunds an authorized payment once, gives the credit back, and announces PaymentRefunded', () => {
    const history = [placed, ...authorizedWith()];
    const charged = history.reduce(payment.evolve, payment.initialState(order.orderId));
    const { outputs, state } = given(payment, ...history)
      .when(cancelled(), nothingNeeded)
      .then('PaymentRefunded');

    expect(outputs[0]!.data).toEqual({ customerId: order.customerId, amountCents: 40_000 });
    expect(creditMove(charged, state)).toBe(-40_000);
    given(payment, ...history, cancelled(), ...outputs)
      .when(cancelled(), nothingNeeded)
      .then();
  });

  it('has nothing to undo for a declined payment, nor for an order it never charged', () => {
    const declined = given(payment).when(placed, credit(0)).outputs;
    given(payment, placed, ...declined)
      .when(cancelled(), nothingNeeded)
      .then();
    given(payment).when(cancelled(), nothingNeeded).then();
  });
});
