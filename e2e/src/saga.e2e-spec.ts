/**
 * The whole saga, end to end: four services, real Kafka, real databases. Each scenario checks the final status
 * and reason, and the side effects in every service: credit, stock, shipment, and that each compensation
 * happened exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { unreadPartitions } from '@saga/kafka';
import { hops } from '@saga/runtime';
import { anOrder, eventually } from '@saga/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, tokenFor } from './support/http.js';
import { scrape, valueOf } from './support/metrics.js';
import { countSteps, SagaClient } from './support/saga-client.js';
import { SagaServices, SERVICE_NAMES, type ServiceName } from './support/saga-services.js';

let saga: SagaServices;
let client: SagaClient;
const LIMIT = 100_000;

beforeAll(async () => {
  saga = await SagaServices.start();
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

describe('the happy path', () => {
  it('an order is paid, its stock reserved then sold, its shipment scheduled, and it ends COMPLETED', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(LIMIT)]);
    const orderId = await client.placeOrder(customer, [{ sku, quantity: 2 }]);

    expect(await client.untilStatus(orderId, 'COMPLETED', 'CANCELLED')).toMatchObject({ status: 'COMPLETED' });

    // Each step once. Not always in saga order: StockReserved and ShipmentScheduled reach the order service on two
    // topics, and the second can overtake the first (the order completes, and records the late step after).
    const steps = ['OrderPlaced', 'PaymentAuthorized', 'StockReserved', 'ShipmentScheduled', 'OrderCompleted'];
    const order = await eventually(
      () => client.order(orderId),
      (seen) => steps.every((step) => countSteps(seen)[step]),
      { what: `every step in the history of ${orderId}` },
    );
    expect(order).toMatchObject({ status: 'COMPLETED', totalCents: 3000 });
    expect(countSteps(order)).toEqual(Object.fromEntries(steps.map((step) => [step, 1])));
    expect(order.history[0]!.type).toBe('OrderPlaced');
    expect(await client.credit(customer)).toMatchObject({ limitCents: LIMIT, availableCents: LIMIT - 3000 });
    await expect(eventuallyStock(sku)).resolves.toMatchObject({ available: 3, reserved: 0, sold: 2 });
    expect(await client.shipmentStatus(orderId)).toBe('SCHEDULED');
  });
});

describe("prices are inventory's", () => {
  it('charges each line the price inventory sells its SKU at, as the order service knows it', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5, 1234), client.customerWithLimit(LIMIT)]);

    const orderId = await client.placeOrder(customer, [{ sku, quantity: 2 }]);

    const order = await client.untilStatus(orderId, 'COMPLETED', 'CANCELLED');
    expect(order).toMatchObject({ status: 'COMPLETED', totalCents: 2468 });
    expect(await client.credit(customer)).toMatchObject({ availableCents: LIMIT - 2468 });
    const known = await request('GET', `${saga.url('order')}/products/${sku}`);
    expect(known).toMatchObject({ status: 200, body: { sku, priceCents: 1234, version: 1 } });
  });

  it('an order keeps the price it was placed at: a change before its payment applies to later orders only', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5, 1000), client.customerWithLimit(LIMIT)]);
    await saga.stopService('payment'); // so that the first order waits for its payment while the price changes
    try {
      const before = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
      await client.setPrice(sku, 2500);
      const after = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
      await saga.startService('payment');

      expect(await client.untilStatus(before, 'COMPLETED', 'CANCELLED')).toMatchObject({ totalCents: 1000 });
      expect(await client.untilStatus(after, 'COMPLETED', 'CANCELLED')).toMatchObject({ totalCents: 2500 });
      expect(await client.credit(customer)).toMatchObject({ availableCents: LIMIT - 3500 });
    } finally {
      await saga.startService('payment');
    }
  });

  it('a product inventory withdraws can no longer be ordered; an order placed before it still completes', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(LIMIT)]);
    const placed = await client.placeOrder(customer, [{ sku, quantity: 1 }]);

    const withdrawn = await request('DELETE', `${saga.url('inventory')}/products/${sku}`);
    expect(withdrawn.status).toBe(204);
    // The tombstone reaches the order service's view a moment later.
    await eventually(
      () => request('GET', `${saga.url('order')}/products/${sku}`),
      (known) => known.status === 404,
      { what: `the order service forgetting ${sku}` },
    );

    await expect(client.placeOrder(customer, [{ sku, quantity: 1 }])).rejects.toThrow(
      new RegExp(`answered 422.*no product \\\\"${sku}\\\\" is sold`),
    );
    expect(await client.untilStatus(placed, 'COMPLETED', 'CANCELLED')).toMatchObject({ status: 'COMPLETED' });
  });
});

/** Stock after the sale lands (OrderCompleted reaches inventory after the order is COMPLETED). */
const eventuallyStock = async (sku: string) => {
  for (let i = 0; i < 100; i++) {
    const stock = await client.stock(sku);
    if (stock.reserved === 0) return stock;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return client.stock(sku);
};

describe('a failed step is compensated', () => {
  it('order is CANCELLED with PAYMENT_DECLINED over the credit limit; nothing was taken, nothing to give back', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(1_000)]);
    const orderId = await client.placeOrder(customer, [{ sku, quantity: 2 }]);

    const order = await client.untilStatus(orderId, 'COMPLETED', 'CANCELLED');

    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
    expect(await client.credit(customer)).toMatchObject({ availableCents: 1_000 });
    expect(await client.stock(sku)).toMatchObject({ available: 5, reserved: 0 });
    expect(await client.shipmentStatus(orderId)).not.toBe('SCHEDULED');
    expect(countSteps(order)).not.toHaveProperty('PaymentRefunded');
  });

  it('order is CANCELLED with OUT_OF_STOCK and the payment refunded once', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(1), client.customerWithLimit(LIMIT)]);
    const orderId = await client.placeOrder(customer, [{ sku, quantity: 2 }]);

    await client.untilStatus(orderId, 'COMPLETED', 'CANCELLED');
    const order = await client.untilHistory(orderId, 'PaymentRefunded');

    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'OUT_OF_STOCK' });
    expect(countSteps(order)).toMatchObject({ PaymentRefunded: 1 });
    expect(countSteps(order)).not.toHaveProperty('StockReleased');
    expect(await client.credit(customer)).toMatchObject({ availableCents: LIMIT });
    expect(await client.stock(sku)).toMatchObject({ available: 1, reserved: 0 });
    expect(await client.shipmentStatus(orderId)).not.toBe('SCHEDULED');
  });

  it('order is CANCELLED with SHIPPING_UNAVAILABLE, its stock released and its payment refunded, once each', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(LIMIT)]);
    const orderId = await client.placeOrder(customer, [{ sku, quantity: 2 }], 'AQ');

    await client.untilStatus(orderId, 'COMPLETED', 'CANCELLED');
    await client.untilHistory(orderId, 'PaymentRefunded');
    const order = await client.untilHistory(orderId, 'StockReleased');

    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'SHIPPING_UNAVAILABLE' });
    expect(countSteps(order)).toMatchObject({ PaymentRefunded: 1, StockReleased: 1 });
    expect(await client.credit(customer)).toMatchObject({ availableCents: LIMIT });
    expect(await client.stock(sku)).toMatchObject({ available: 5, reserved: 0, sold: 0 });
    expect(await client.shipmentStatus(orderId)).toBe('FAILED');
  });
});

describe('the customer cancels while the saga runs', () => {
  /** Holds the saga before `held` acts, cancels, lets `held` catch up, and checks nothing is left over. */
  const cancelWhile = async (held: 'payment' | 'inventory' | 'shipping', stage: string) => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(LIMIT)]);
    await saga.stopService(held);
    try {
      const orderId = await client.placeOrder(customer, [{ sku, quantity: 2 }]);
      await client.untilStatus(orderId, stage);

      const cancelled = await client.cancel(orderId);
      expect(cancelled).toMatchObject({ status: 200, body: { status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED' } });
      await saga.startService(held);

      if (held === 'payment') {
        // Payment's view has the cancelled order before its consumer reads OrderPlaced: it charges nothing, and
        // there is nothing to refund.
        await eventually(
          () =>
            saga.withAdmin((admin) =>
              unreadPartitions(admin, `${saga.topicPrefix}payment`, saga.topic('order-events')),
            ),
          (unread) => unread.size === 0,
          { what: 'payment caught up with order-events' },
        );
        expect(countSteps(await client.order(orderId))).not.toHaveProperty('PaymentAuthorized');
      } else {
        await client.untilHistory(orderId, 'PaymentRefunded');
      }
      // Whatever the held service does when it catches up, the end state is the same: nothing taken, nothing shipped.
      const credit = await client.credit(customer);
      expect(credit.availableCents).toBe(LIMIT);
      await expect(eventuallyStock(sku)).resolves.toMatchObject({ available: 5, reserved: 0, sold: 0 });
      const order = await client.order(orderId);
      expect(order).toMatchObject({ status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED' });
      expect(countSteps(order).PaymentRefunded).toBe(held === 'payment' ? undefined : 1);
      expect(countSteps(order).StockReleased ?? 0).toBeLessThanOrEqual(1);
      // Shipping ends with nothing shipped: CANCELLED (scheduled, then called off), or PENDING (the cancellation
      // came first). Both events may still be on their way, so wait for one of those; SCHEDULED never lasts.
      await eventually(
        () => client.shipmentStatus(orderId),
        (status) => status === 'CANCELLED' || status === 'PENDING',
        { timeoutMs: 30_000, what: `shipment of ${orderId} called off or never made` },
      );
      return order;
    } finally {
      await saga.startService(held); // when an assertion failed before the restart above
    }
  };

  it('before the payment: payment, catching up, charges nothing', async () => {
    await cancelWhile('payment', 'PENDING');
  });

  it('after the payment, before the stock: the payment is refunded and no stock stays reserved', async () => {
    await cancelWhile('inventory', 'PAYMENT_AUTHORIZED');
  });

  it('after the stock reservation, before shipping: stock released, payment refunded, nothing shipped', async () => {
    const order = await cancelWhile('shipping', 'STOCK_RESERVED');
    expect(countSteps(order)).toMatchObject({ StockReleased: 1 });
  });

  it('an order that has ended cannot be cancelled: 409 with its status', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(LIMIT)]);
    const orderId = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
    await client.untilStatus(orderId, 'COMPLETED');

    const response = await client.cancel(orderId);

    expect(response.status).toBe(409);
    expect(response.body.message).toContain('has already ended: it is COMPLETED');
  });
});

describe('the HTTP surface', () => {
  it('every service reports its database and Kafka as up', async () => {
    for (const name of SERVICE_NAMES) {
      const health = await request('GET', `${saga.url(name)}/health`);
      expect({ name, ...health }).toEqual({
        name,
        status: 200,
        body: {
          status: 'ok',
          database: 'up',
          kafka: 'up',
          needsAttention: { compensationsRetrying: 0, outboxRowsSetAside: 0 },
        },
      });
    }
  });

  it('every service is live and ready, as a platform asks (GET /health/live, /health/ready)', async () => {
    for (const name of SERVICE_NAMES) {
      expect(await request('GET', `${saga.url(name)}/health/live`)).toMatchObject({
        status: 200,
        body: { status: 'ok', info: { process: { status: 'up' } } },
      });
      expect(await request('GET', `${saga.url(name)}/health/ready`)).toMatchObject({
        status: 200,
        body: {
          status: 'ok',
          info: { database: { status: 'up' }, kafka: { status: 'up' }, consumer: { status: 'up' } },
        },
      });
    }
  });

  it('every service times each hop of an event on /metrics, and a saga moves every one of them', async () => {
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          SERVICE_NAMES.map(async (name) => {
            const response = await fetch(`${saga.url(name)}/metrics`);
            expect(response.headers.get('content-type')).toContain('text/plain');
            const text = await response.text();
            const counted = [...text.matchAll(/^saga_hop_seconds_count\{hop="(\w+)"\} (\d+)$/gm)];
            return [name, Object.fromEntries(counted.map(([, hop, count]) => [hop, Number(count)]))];
          }),
        ),
      );
    const before = await counts();
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(LIMIT)]);
    const orderId = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
    await client.untilStatus(orderId, 'COMPLETED', 'CANCELLED');

    // Every service handles an event of this saga and publishes one (the order service its snapshots too).
    await eventually(
      counts,
      (now) => SERVICE_NAMES.every((name) => hops.every((hop) => (now[name]![hop] ?? 0) > (before[name]![hop] ?? 0))),
      { what: `every hop of every service counted again (before: ${JSON.stringify(before)})` },
    );
  });

  it("every service's own metrics move with the sagas: relay, handlers, lag, dead letters, saga durations", async () => {
    const scrapeAll = async () =>
      Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (name) => [name, await scrape(saga.url(name))])));
    const before = await scrapeAll();
    const [sku, customer, poor] = await Promise.all([
      client.stockedSku(5),
      client.customerWithLimit(LIMIT),
      client.customerWithLimit(0),
    ]);
    const completed = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
    const declined = await client.placeOrder(poor, [{ sku, quantity: 1 }]);
    await client.untilStatus(completed, 'COMPLETED');
    await client.untilStatus(declined, 'CANCELLED');
    const producer = new Kafka({ brokers: saga.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: saga.topic('order-events'), messages: [{ key: randomUUID(), value: 'not json' }] });
    await producer.disconnect();

    const moved = (name: ServiceName, series: string, now: Record<string, Map<string, number>>) =>
      valueOf(now[name]!, series) - valueOf(before[name]!, series);
    const orderEvents = saga.topic('order-events');
    const counted = (now: Record<string, Map<string, number>>) => ({
      completed: moved('order', 'saga_duration_seconds_count{outcome="completed",reason=""}', now),
      declined: moved('order', 'saga_duration_seconds_count{outcome="cancelled",reason="PAYMENT_DECLINED"}', now),
      deadLettered: moved('payment', `saga_dead_letters_total{topic="${orderEvents}",reason="malformed"}`, now),
      // Placed, and completed or cancelled, twice: the last two are sent after the sagas ended.
      published: moved('order', `saga_relay_published_records_total{topic="${orderEvents}"}`, now),
    });
    const { now: after } = await eventually(
      async () => {
        const now = await scrapeAll();
        return { counted: counted(now), now };
      },
      ({ counted }) =>
        counted.completed === 1 && counted.declined === 1 && counted.deadLettered === 1 && counted.published >= 4,
      { what: 'the saga durations, the dead letter and the events sent counted' },
    );

    for (const name of SERVICE_NAMES) {
      const series = [...after[name]!.keys()];
      const has = (prefix: string) => series.some((one) => one.startsWith(prefix));
      expect({
        name,
        published: has('saga_relay_published_records_total{'),
        lag: has('saga_consumer_lag_records{'),
        backlog: has('saga_outbox_pending_rows') && has('saga_outbox_oldest_pending_seconds'),
      }).toEqual({ name, published: true, lag: true, backlog: true });
    }
    const placedHandled = 'saga_handler_seconds_count{event_type="OrderPlaced",outcome="applied"}';
    expect(moved('payment', placedHandled, after)).toBe(2);
    expect(valueOf(after.payment!, 'saga_order_view_rebuilding')).toBe(0);
  });

  it('every service documents its API: Swagger UI at /docs, the committed OpenAPI document at /docs/openapi.json', async () => {
    for (const name of SERVICE_NAMES) {
      const committed = JSON.parse(
        readFileSync(new URL(`../../docs/api/${name}.openapi.json`, import.meta.url), 'utf8'),
      );
      expect({ name, served: (await request('GET', `${saga.url(name)}/docs/openapi.json`)).body }).toEqual({
        name,
        served: committed,
      });
      const page = await fetch(`${saga.url(name)}/docs`);
      expect({ name, status: page.status, ui: (await page.text()).includes('swagger-ui') }).toEqual({
        name,
        status: 200,
        ui: true,
      });
    }
  });

  it('lists orders newest first, with paging', async () => {
    const customer = await client.customerWithLimit(LIMIT);
    const sku = await client.stockedSku(10);
    const first = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
    const second = await client.placeOrder(customer, [{ sku, quantity: 1 }]);

    const page = await request<{ orders: { orderId: string }[]; limit: number }>(
      'GET',
      `${saga.url('order')}/orders?limit=2`,
    );

    expect(page.body.orders.map((order) => order.orderId)).toEqual([second, first]);
    expect((await request('GET', `${saga.url('order')}/orders?limit=0`)).status).toBe(400);
  });

  /** A valid order request, with what the case breaks (`anOrder` checks the types; these cases must not). */
  const customerId = randomUUID();
  const withField = (overrides: Record<string, unknown> = {}) => {
    const body = anOrder({ customerId }).body();
    return { ...body, ...overrides };
  };

  it.each([
    ['a customer id, which only the token may give', withField({ customerId: 'c-1' }), 'customerId'],
    ['no items', withField({ items: [] }), 'items'],
    ['a zero quantity', withField({ items: [{ sku: 'BOOK-1', quantity: 0 }] }), 'items.0.quantity'],
    [
      'a duplicate SKU',
      withField({
        items: [
          { sku: 'A', quantity: 1 },
          { sku: 'A', quantity: 1 },
        ],
      }),
      'items.1.sku',
    ],
    [
      'a country that is not an ISO code',
      withField({ shippingAddress: anOrder({ country: 'England' }).shippingAddress }),
      'shippingAddress.country',
    ],
    ['an unknown field', withField({ coupon: 'FREE' }), 'Unrecognized key: "coupon"'],
  ])('rejects an order with %s: 400 naming the field', async (_case, body, field) => {
    const response = await request('POST', `${saga.url('order')}/orders`, body, {
      authorization: await tokenFor({ customer: customerId }),
    });

    expect(response.status).toBe(400);
    expect(response.body.message).toContain(field);
  });

  it.each([
    ['payment', 'PUT', `/customers/${randomUUID()}/credit`, { limitCents: -1 }, 'limitCents'],
    ['payment', 'PUT', '/customers/nope/credit', { limitCents: 1 }, 'id: must be a UUID'],
    ['inventory', 'PUT', '/stock/BOOK-1', { available: 1.5 }, 'available'],
    ['inventory', 'PUT', '/stock/BOOK-1', { available: 1, reserved: 3 }, 'Unrecognized key: "reserved"'],
  ] as const)('%s rejects %s %s with a 400 naming the field', async (service, method, path, body, field) => {
    const response = await request(method, `${saga.url(service)}${path}`, body);

    expect(response.status).toBe(400);
    expect(response.body.message).toContain(field);
  });

  it('answers 404 with a message for what does not exist, and 400 for an id that is not a UUID', async () => {
    const missing = randomUUID();
    expect((await request('GET', `${saga.url('order')}/orders/${missing}`)).body).toMatchObject({
      statusCode: 404,
      message: `order ${missing} does not exist`,
    });
    expect((await request('POST', `${saga.url('order')}/orders/${missing}/cancel`)).status).toBe(404);
    expect((await request('GET', `${saga.url('payment')}/payments/${missing}`)).status).toBe(404);
    expect((await request('GET', `${saga.url('shipping')}/shipments/${missing}`)).status).toBe(404);
    expect((await request('GET', `${saga.url('order')}/orders/42`)).body).toMatchObject({
      statusCode: 400,
      message: 'id: must be a UUID',
    });
  });
});
