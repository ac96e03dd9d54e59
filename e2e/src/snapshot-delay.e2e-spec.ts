/**
 * Decisions never race a clock. Payment, inventory and shipping are started with their views of the orders held
 * 10 s behind the log (each batch of `orders` is applied 10 s after it was read: FAULT_DELAY_AT), so every saga
 * event reaches them long before the snapshot it was decided with. Each such event waits as *not yet* and goes
 * through once the view holds the order's version: every order ends as it would without the delay, and nothing
 * is dead-lettered.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEAD_LETTER_SUFFIX, Topics } from '@saga/events';
import { eventually, TopicReader } from '@saga/testing';
import { request } from './support/http.js';
import { SagaClient } from './support/saga-client.js';
import { SagaServices } from './support/saga-services.js';

const HOLD_MS = 10_000;
const hold = { FAULT_DELAY_AT: 'order-view.before-apply', FAULT_DELAY_MS: String(HOLD_MS) };

let saga: SagaServices;
let client: SagaClient;
let deadLetters: TopicReader;

beforeAll(async () => {
  saga = await SagaServices.start({ payment: hold, inventory: hold, shipping: hold });
  client = new SagaClient(saga);
  const topics = Object.values(Topics).map((topic) => saga.topic(topic) + DEAD_LETTER_SUFFIX);
  deadLetters = await TopicReader.start(saga.kafkaBrokers, topics);
  // Live views: a view still being built holds saga events at its gate, and they would never find it behind.
  for (const name of ['payment', 'inventory', 'shipping'] as const) {
    await eventually(
      () => client.orderView(name),
      (view) => view.state === 'live',
      { what: `${name}'s view live` },
    );
  }
});

afterAll(async () => {
  await deadLetters?.stop();
  await saga?.stop();
});

describe('snapshots that reach the views 10 s after their events', () => {
  it(
    'every order ends as its scenario says, each event waited for its snapshot, and nothing is dead-lettered',
    async () => {
      const placed = Date.now();
      const orders = await client.placeEveryOutcome();

      const ended = await Promise.all(
        orders.map(({ orderId }) =>
          eventually(
            () => client.order(orderId),
            (order) => order.status === 'COMPLETED' || order.status === 'CANCELLED',
            { timeoutMs: 15 * HOLD_MS, intervalMs: 250, what: `order ${orderId} ended` },
          ),
        ),
      );
      ended.forEach((order, i) => expect(order).toMatchObject(orders[i]!.ends));
      // The first decision needed the order at once; it could not be taken before the held snapshot was applied.
      expect(Date.now() - placed).toBeGreaterThanOrEqual(HOLD_MS);

      // Payment found its view behind (an event behind another on its partition may find its order there by then).
      expect((await client.orderView('payment')).notYet).toBeGreaterThan(0);
      await client.untilViewsAgree(6 * HOLD_MS); // every change still reaches the views 10 s late
      expect(deadLetters.messages).toEqual([]);
    },
    20 * HOLD_MS,
  );

  it(
    'a service rebuilding its view is not ready (its saga events wait at the gate), and still live',
    async () => {
      const ready = () => request('GET', `${saga.url('payment')}/health/ready`);
      expect(await request('POST', `${saga.url('payment')}/admin/order-view/rebuild`)).toMatchObject({ status: 202 });

      // The rebuild reads the log again from offset 0, and its first batch is held 10 s.
      const held = await eventually(ready, ({ status }) => status === 503, { what: 'payment not ready' });
      expect(held.body).toMatchObject({
        status: 'error',
        error: { consumer: { status: 'down', heldBy: ['the order view is being built from the log'] } },
        info: { database: { status: 'up' }, kafka: { status: 'up' } },
      });
      expect(await request('GET', `${saga.url('payment')}/health/live`)).toMatchObject({ status: 200 });
      await eventually(ready, ({ status }) => status === 200, { timeoutMs: 6 * HOLD_MS, what: 'payment ready again' });
    },
    8 * HOLD_MS,
  );
});
