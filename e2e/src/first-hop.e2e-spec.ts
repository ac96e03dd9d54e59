/**
 * The first hop of the saga, end to end: an order placed over HTTP reaches the payment service through Kafka,
 * and the payment's decision comes back to the order. Real services, real broker, real databases.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { request } from './support/http.js';
import { SagaServices, SERVICE_NAMES } from './support/saga-services.js';

let saga: SagaServices;

beforeAll(async () => {
  saga = await SagaServices.start();
});

afterAll(async () => {
  await saga?.stop();
});

const anOrder = (overrides: Record<string, unknown> = {}) => ({
  customerId: randomUUID(),
  items: [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: 1500 }],
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Way',
    city: 'London',
    postalCode: 'N1 9GU',
    country: 'GB',
  },
  ...overrides,
});

const orderStatus = (orderId: string) =>
  eventually(
    async () => (await request(`GET`, `${saga.url('order')}/orders/${orderId}`)).body,
    (order) => order.status !== 'PENDING',
    { what: `order ${orderId} decided` },
  );

describe('first hop: order -> payment -> order', () => {
  it('every service reports its database and Kafka as up', async () => {
    for (const name of SERVICE_NAMES) {
      const health = await request('GET', `${saga.url(name)}/health`);
      expect({ name, ...health }).toEqual({ name, status: 200, body: { status: 'ok', database: 'up', kafka: 'up' } });
    }
  });

  it('an order within the credit limit is placed PENDING, then authorized by the payment service', async () => {
    const placed = await request('POST', `${saga.url('order')}/orders`, anOrder());

    expect(placed.status).toBe(201);
    expect(placed.body).toEqual({ orderId: expect.any(String), status: 'PENDING' });
    const orderId = placed.body.orderId as string;

    const order = await orderStatus(orderId);
    expect(order).toMatchObject({ status: 'PAYMENT_AUTHORIZED', totalCents: 3000 });
    expect((order.history as { type: string }[]).map((step) => step.type)).toEqual([
      'OrderPlaced',
      'PaymentAuthorized',
    ]);

    const payment = await request('GET', `${saga.url('payment')}/payments/${orderId}`);
    expect(payment.body).toMatchObject({ status: 'AUTHORIZED', amountCents: 3000 });
  });

  it('an order over the credit limit is CANCELLED with PAYMENT_DECLINED', async () => {
    const placed = await request(
      'POST',
      `${saga.url('order')}/orders`,
      anOrder({ items: [{ sku: 'PIANO-1', quantity: 1, unitPriceCents: 250_000 }] }),
    );

    const order = await orderStatus(placed.body.orderId as string);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
    const payment = await request('GET', `${saga.url('payment')}/payments/${placed.body.orderId}`);
    expect(payment.body).toMatchObject({ status: 'DECLINED', declineReason: expect.stringContaining('credit limit') });
  });

  it.each([
    ['a customer id that is not a UUID', anOrder({ customerId: 'c-1' }), 'customerId'],
    ['no items', anOrder({ items: [] }), 'items'],
    ['a zero quantity', anOrder({ items: [{ sku: 'BOOK-1', quantity: 0, unitPriceCents: 1 }] }), 'items.0.quantity'],
    [
      'a country that is not an ISO code',
      anOrder({ shippingAddress: { ...anOrder().shippingAddress, country: 'England' } }),
      'shippingAddress.country',
    ],
    ['an unknown field', anOrder({ coupon: 'FREE' }), 'Unrecognized key: "coupon"'],
  ])('rejects an order with %s: 400 naming the field', async (_case, body, field) => {
    const response = await request('POST', `${saga.url('order')}/orders`, body);

    expect(response.status).toBe(400);
    expect(response.body.message).toContain(field);
  });

  it('answers 404 for an order that does not exist, and 400 for an id that is not a UUID', async () => {
    expect((await request('GET', `${saga.url('order')}/orders/${randomUUID()}`)).status).toBe(404);
    expect((await request('GET', `${saga.url('order')}/orders/42`)).body).toMatchObject({
      statusCode: 400,
      message: 'id: must be a UUID',
    });
  });
});
