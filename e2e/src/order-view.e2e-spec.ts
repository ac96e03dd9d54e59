/**
 * The log is the source of truth: every service's order view is built only from the compacted `orders` topic,
 * agrees with the order service, and comes back identical when it is thrown away, whether the service rebuilds
 * it on request (the `rebuild` command) or finds it empty when it starts, having missed orders while it was down.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Topics, type OrderPlaced } from '@saga/events';
import { anOrderPlaced, eventually, TopicReader, type ReadMessage } from '@saga/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request } from './support/http.js';
import { SagaClient, TERMINAL } from './support/saga-client.js';
import { SagaServices, type ServiceName } from './support/saga-services.js';

let saga: SagaServices;
let client: SagaClient;
const root = fileURLToPath(new URL('../../', import.meta.url));

beforeAll(async () => {
  saga = await SagaServices.start();
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

/** Orders with every outcome (completed, declined, out of stock, not shippable), once their sagas have ended. */
async function runSagas(): Promise<string[]> {
  const placed = await client.placeEveryOutcome();
  await Promise.all(placed.map(({ orderId }) => client.untilStatus(orderId, ...TERMINAL)));
  return placed.map(({ orderId }) => orderId);
}

const wipeView = (service: ServiceName) => saga.query(service, `TRUNCATE order_view`);

describe('every service keeps a view of the orders, built from the log', () => {
  it('all four agree once the sagas have ended, and an erased order leaves every view', async () => {
    const orderIds = await runSagas();
    const before = await client.untilViewsAgree();

    expect((await client.erase(orderIds[4]!)).status).toBe(204);
    const after = await client.untilViewsAgree();

    expect(after.count).toBe(before.count - 1);
    expect((await request('GET', `${saga.url('order')}/orders/${orderIds[4]}`)).status).toBe(404);
  });

  it('an order whose saga is still running cannot be erased: 409', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(1, 100), client.customerWithLimit(1_000)]);
    await saga.stopService('payment');
    try {
      const orderId = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
      const response = await client.erase(orderId);
      expect(response).toMatchObject({ status: 409, body: { message: expect.stringContaining('still PENDING') } });
    } finally {
      await saga.startService('payment');
    }
    await client.untilViewsAgree();
  });

  it('the rebuild command drops a view and reads it back from offset 0, identical', async () => {
    await runSagas();
    const before = await client.untilViewsAgree();

    const { stdout } = await promisify(execFile)(
      process.execPath,
      [`${root}scripts/rebuild-view.mjs`, 'inventory', saga.url('inventory')],
      { timeout: 60_000 },
    );

    expect(stdout).toContain(`rebuilt in`);
    expect(stdout).toContain(`${before.count} orders, checksum ${before.checksum}`);
    expect(await client.orderView('inventory')).toMatchObject({ ...before, state: 'live' });
  });

  it('republishing every snapshot (how orders is repaired, not by a redrive) leaves every view as it was', async () => {
    await runSagas();
    const before = await client.untilViewsAgree();

    const response = await request<{ republished: number }>('POST', `${saga.url('order')}/admin/order-view/republish`);

    expect(response).toMatchObject({ status: 200, body: { republished: before.count } });
    expect(await client.untilViewsAgree()).toMatchObject({ count: before.count, checksum: before.checksum });
  });

  it('rebuilding on request while orders flow: saga events wait, and the view still ends equal', async () => {
    const [started] = await Promise.all([
      request('POST', `${saga.url('payment')}/admin/order-view/rebuild`),
      runSagas(),
      request('POST', `${saga.url('shipping')}/admin/order-view/rebuild`),
    ]);

    expect(started).toMatchObject({ status: 202, body: { state: 'rebuilding' } });
    await client.untilViewsAgree();
  });

  it('a service that was down while orders flowed, its view wiped, rebuilds it at start and finishes the sagas', async () => {
    await runSagas();
    const sku = await client.stockedSku(10);
    const customer = await client.customerWithLimit(100_000);

    await saga.stopService('shipping');
    const waiting = await Promise.all([1, 2, 3].map(() => client.placeOrder(customer, [{ sku, quantity: 1 }])));
    await Promise.all(waiting.map((id) => client.untilStatus(id, 'STOCK_RESERVED')));
    await wipeView('shipping');
    await saga.startService('shipping');

    const rebuilt = await eventually(
      () => client.orderView('shipping'),
      (view) => view.state === 'live',
      { timeoutMs: 30_000, what: 'the shipping view rebuilt' },
    );
    expect(rebuilt.count).toBeGreaterThan(0);
    for (const id of waiting) expect((await client.untilStatus(id, ...TERMINAL)).status).toBe('COMPLETED');
    await client.untilViewsAgree();
  });

  /** Publishes `event` to order-events as a stranger would, and returns the dead letter it becomes. */
  async function deadLetterOf(event: OrderPlaced): Promise<ReadMessage> {
    const deadLetters = await TopicReader.start(saga.kafkaBrokers, [saga.topic(`${Topics.orderEvents}.dlq`)]);
    const kafka = new Kafka({ clientId: 'e2e-stranger', brokers: saga.kafkaBrokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    try {
      await producer.connect();
      await producer.send({
        topic: saga.topic(Topics.orderEvents),
        messages: [{ key: event.orderId, value: JSON.stringify(event) }],
      });
      const ours = (all: ReadMessage[]) => all.filter((m) => m.key === event.orderId);
      const [letter] = ours(await deadLetters.waitFor((all) => ours(all).length > 0));
      expect(letter!.headers['dlq-consumer']).toBe(saga.topic('payment'));
      return letter!;
    } finally {
      await producer.disconnect();
      await deadLetters.stop();
    }
  }

  it('an event about an order the log never had is dead-lettered once the view has read as far as the log went', async () => {
    const stranger = anOrderPlaced(); // never placed through the order service: no snapshot anywhere
    const letter = await deadLetterOf(stranger);
    expect(letter.headers['dlq-reason']).toContain(`order ${stranger.orderId} version 1 is not in`);
    expect(letter.headers['dlq-reason']).toContain('it was never published');

    const [order] = await runSagas(); // the orders behind it go on
    expect((await client.untilStatus(order!, ...TERMINAL)).status).toBe('COMPLETED');
  });

  it('an event about an erased order is dead-lettered at once: the tombstone left a marker in the view', async () => {
    const [orderId] = await runSagas();
    expect((await client.erase(orderId!)).status).toBe(204);
    await client.untilViewsAgree();
    // Payment looks at the order only to charge it; it charged this one already, so a second request would change
    // nothing. Make it forget the charge, so that the forged request needs the order.
    await saga.query('payment', `DELETE FROM payments WHERE order_id = '${orderId}'`);

    const letter = await deadLetterOf(anOrderPlaced({ orderId }));
    expect(letter.headers['dlq-reason']).toContain(`order ${orderId} was erased`);
  });
});
