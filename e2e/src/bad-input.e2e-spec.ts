/**
 * Bad input gets a 4xx that names the problem, and writes nothing: no order, no outbox row, no event, no change
 * to stock or credit. And a retried POST /orders with the same Idempotency-Key places one order.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Topics } from '@saga/events';
import { anOrder } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { SagaClient } from './support/saga-client.js';
import { SagaServices, type ServiceName } from './support/saga-services.js';

let saga: SagaServices;
let client: SagaClient;

beforeAll(async () => {
  saga = await SagaServices.start();
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

const validOrder = () => anOrder().request();
const address = validOrder().shippingAddress;
const withItems = (...items: unknown[]) => ({ ...validOrder(), items });

type Call = { method: string; service: ServiceName; path: string; body?: unknown; raw?: string; headers?: object };

/** Sends exactly what a client sent: the body as JSON, or raw text when the test needs malformed bytes. */
async function call({ method, service, path, body, raw, headers = {} }: Call) {
  const response = await fetch(`${saga.url(service)}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let json: { message?: string | string[] };
  try {
    json = JSON.parse(text);
  } catch {
    json = { message: text };
  }
  return { status: response.status, message: [json.message].flat().join('; ') };
}

/** What a write leaves behind, anywhere in the system. */
async function footprint() {
  const count = async (service: ServiceName, sql: string) =>
    Number((await saga.query<{ n: string }>(service, sql))[0]!.n);
  const ends = await saga.withAdmin((admin) =>
    Promise.all(
      Object.values(Topics).map(async (topic) =>
        (await admin.fetchTopicOffsets(saga.topic(topic))).reduce((sum, { high }) => sum + Number(high), 0),
      ),
    ),
  );
  return {
    orders: await count('order', 'SELECT count(*) AS n FROM orders'),
    outbox: await Promise.all(
      (['order', 'payment', 'inventory', 'shipping'] as const).map((s) => count(s, 'SELECT count(*) AS n FROM outbox')),
    ),
    records: ends,
    stock: await count('inventory', 'SELECT count(*) AS n FROM stock_items'),
    accounts: await count('payment', 'SELECT count(*) AS n FROM credit_accounts'),
  };
}

const order = (body: unknown): Call => ({ method: 'POST', service: 'order', path: '/orders', body });

const cases: [string, Call, number, string][] = [
  ['a body that is not JSON', { ...order(undefined), raw: '{"customerId": ' }, 400, 'JSON'],
  ['a JSON array instead of an object', order([validOrder()]), 400, 'expected object'],
  ['no body at all', order(undefined), 400, 'expected object'],
  ['a field of the wrong type', order({ ...validOrder(), customerId: 42 }), 400, 'customerId'],
  ['an invalid UUID', order({ ...validOrder(), customerId: 'ada' }), 400, 'customerId'],
  ['a missing field', order({ ...validOrder(), shippingAddress: undefined }), 400, 'shippingAddress'],
  ['an unknown field', order({ ...validOrder(), discountCents: 500 }), 400, 'discountCents'],
  [
    'an unknown field in an item',
    order(withItems({ sku: 'A', quantity: 1, unitPriceCents: 1, gift: true })),
    400,
    'gift',
  ],
  ['an empty item list', order(withItems()), 400, 'at least one item'],
  ['a zero quantity', order(withItems({ sku: 'A', quantity: 0, unitPriceCents: 1 })), 400, 'items.0.quantity'],
  ['a negative quantity', order(withItems({ sku: 'A', quantity: -2, unitPriceCents: 1 })), 400, 'items.0.quantity'],
  ['a fractional quantity', order(withItems({ sku: 'A', quantity: 1.5, unitPriceCents: 1 })), 400, 'items.0.quantity'],
  ['a negative price', order(withItems({ sku: 'A', quantity: 1, unitPriceCents: -1 })), 400, 'unitPriceCents'],
  [
    'duplicate SKUs',
    order(withItems({ sku: 'A', quantity: 1, unitPriceCents: 1 }, { sku: 'A', quantity: 2, unitPriceCents: 1 })),
    400,
    'duplicate SKU',
  ],
  ['an absurd quantity', order(withItems({ sku: 'A', quantity: 1e9, unitPriceCents: 1 })), 400, 'items.0.quantity'],
  ['an absurd price', order(withItems({ sku: 'A', quantity: 1, unitPriceCents: 1e15 })), 400, 'unitPriceCents'],
  [
    'too many items',
    order(withItems(...Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, quantity: 1, unitPriceCents: 1 })))),
    400,
    'items',
  ],
  [
    'an absurdly long name',
    order({ ...validOrder(), shippingAddress: { ...address, name: 'A'.repeat(5_000) } }),
    400,
    'name',
  ],
  [
    'a country that is not a code',
    order({ ...validOrder(), shippingAddress: { ...address, country: 'USA' } }),
    400,
    'country',
  ],
  [
    'an oversized body',
    { ...order(undefined), raw: JSON.stringify({ ...validOrder(), pad: 'x'.repeat(2_000_000) }) },
    413,
    'too large',
  ],
  [
    'an Idempotency-Key with spaces',
    { ...order(validOrder()), headers: { 'idempotency-key': 'my key' } },
    400,
    'Idempotency-Key',
  ],
  ['a list limit of 0', { method: 'GET', service: 'order', path: '/orders?limit=0' }, 400, 'limit'],
  ['an unknown query parameter', { method: 'GET', service: 'order', path: '/orders?sort=asc' }, 400, 'sort'],
  ['an order id that is not a UUID', { method: 'GET', service: 'order', path: '/orders/42' }, 400, 'id'],
  ['cancelling a non-UUID', { method: 'POST', service: 'order', path: '/orders/42/cancel' }, 400, 'id'],
  ['erasing a non-UUID', { method: 'DELETE', service: 'order', path: '/orders/42' }, 400, 'id'],
  [
    'a negative stock',
    { method: 'PUT', service: 'inventory', path: '/stock/NEW-1', body: { available: -1 } },
    400,
    'available',
  ],
  [
    'a SKU with spaces',
    { method: 'PUT', service: 'inventory', path: '/stock/NEW%201', body: { available: 1 } },
    400,
    'must be 1 to 64',
  ],
  [
    'stock as text',
    { method: 'PUT', service: 'inventory', path: '/stock/NEW-1', body: { available: '5' } },
    400,
    'available',
  ],
  [
    'a credit limit as a float',
    { method: 'PUT', service: 'payment', path: `/customers/${randomUUID()}/credit`, body: { limitCents: 1.5 } },
    400,
    'limitCents',
  ],
  [
    'a customer that is not a UUID',
    { method: 'PUT', service: 'payment', path: '/customers/ada/credit', body: { limitCents: 1 } },
    400,
    'id',
  ],
  ['a payment of a non-UUID', { method: 'GET', service: 'payment', path: '/payments/42' }, 400, 'orderId'],
  ['a shipment of a non-UUID', { method: 'GET', service: 'shipping', path: '/shipments/42' }, 400, 'orderId'],
];

describe('bad input', () => {
  it.each(cases)('%s', async (_, request, status, named) => {
    const before = await footprint();

    const response = await call(request);

    expect(response.status).toBe(status);
    expect(response.message).toContain(named);
    await new Promise((resolve) => setTimeout(resolve, 200)); // anything written would reach Kafka by now
    expect(await footprint()).toEqual(before);
  });
});

describe('Idempotency-Key', () => {
  it('the same request sent twice with one key places one order and answers the same both times', async () => {
    const key = randomUUID();
    const body = validOrder();
    const before = await footprint();

    const [first, second] = await Promise.all(
      [1, 2].map(() =>
        fetch(`${saga.url('order')}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
        }),
      ),
    );
    const answers = await Promise.all([first!.json(), second!.json()]);

    expect([first!.status, second!.status]).toEqual([201, 201]);
    expect(answers[0]).toEqual(answers[1]);
    expect([first, second].filter((r) => r!.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    expect((await footprint()).orders).toBe(before.orders + 1);
    expect((await client.order((answers[0] as { orderId: string }).orderId)).status).toBeDefined();
  });

  it('the same key with a different request is refused: 422, and nothing placed', async () => {
    const key = randomUUID();
    const headers = { 'idempotency-key': key };
    expect((await call({ ...order(validOrder()), headers })).status).toBe(201);
    const before = await footprint();

    const reused = await call({ ...order(validOrder()), headers });

    expect(reused).toEqual({ status: 422, message: expect.stringContaining('already used for a different request') });
    expect((await footprint()).orders).toBe(before.orders);
  });
});
