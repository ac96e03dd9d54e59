/**
 * Outages of the infrastructure itself, while sagas are in flight: the Kafka broker, then the Postgres server,
 * is stopped and started again. Nobody restarts a service; each one rides through on its own (the relay and the
 * consumers retry with backoff, the connection pools reconnect), and afterwards every order has ended as it must,
 * with every effect exactly once (see support/workload.ts for the invariants).
 *
 * While Kafka is down the order service still takes orders: they wait in its outbox. While Postgres is down it
 * answers 503, and a client that retries with the same Idempotency-Key places each order once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bringBack, eventually, takeDown } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { request } from './support/http.js';
import { SagaClient } from './support/saga-client.js';
import { SagaServices, SERVICE_NAMES } from './support/saga-services.js';
import { report, Workload } from './support/workload.js';

let saga: SagaServices;
let client: SagaClient;

beforeAll(async () => {
  // No deadline within the test: after the broker restarts, a consumer group can take a minute to form again (the
  // old members' session and the rebalance run out first), and an order that times out meanwhile has ended as the
  // saga says, but not as its scenario does. The deadline has a test of its own (deadline.e2e-spec.ts).
  saga = await SagaServices.start({ order: { ORDER_DEADLINE_MS: String(60 * 60_000) } });
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

const OUTAGE_MS = 5_000;

const health = (name: (typeof SERVICE_NAMES)[number]) =>
  request<{ database: string; kafka: string }>('GET', `${saga.url(name)}/health`);

async function expectInvariants(workload: Workload) {
  await workload.untilQuiet(90_000);
  const checks = await eventually(
    () => workload.check(),
    (all) => all.every((check) => check.ok),
    {
      timeoutMs: 20_000,
      intervalMs: 1_000,
      what: 'every invariant',
    },
  ).catch(async () => workload.check());
  expect(report(checks)).not.toMatch(/FAIL/);
}

describe('the Kafka broker restarts while sagas are in flight', () => {
  it('orders placed before and during the outage all end as they must, each effect once', async () => {
    const workload = await Workload.prepare(saga, client);
    await workload.placeMany(20);

    await takeDown('kafka');
    try {
      await eventually(
        () => health('payment'),
        ({ status }) => status === 503,
        { what: 'payment reporting Kafka down' },
      );
      // Not ready (send it no traffic), yet live: a platform must not restart a service for a broker outage.
      expect(await request('GET', `${saga.url('payment')}/health/ready`)).toMatchObject({
        status: 503,
        body: { status: 'error', error: { kafka: { status: 'down' } }, info: { database: { status: 'up' } } },
      });
      expect(await request('GET', `${saga.url('payment')}/health/live`)).toMatchObject({ status: 200 });
      // The order and its events commit together; they wait in the outbox for the broker.
      await workload.placeMany(10);
      const [unsent] = await saga.query<{ count: string }>(
        'order',
        'SELECT count(*) FROM outbox WHERE published_at IS NULL',
      );
      expect(Number(unsent!.count)).toBeGreaterThanOrEqual(10);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    } finally {
      await bringBack('kafka');
    }

    await Promise.all(
      SERVICE_NAMES.map((name) =>
        eventually(
          () => health(name),
          ({ status }) => status === 200,
          { timeoutMs: 60_000, what: `${name} healthy again` },
        ),
      ),
    );
    await expectInvariants(workload);
  }, 240_000);
});

describe('the Postgres server restarts while sagas are in flight', () => {
  it('the services reconnect by themselves; every order ends as it must, each effect once', async () => {
    const workload = await Workload.prepare(saga, client);
    await workload.placeMany(20);

    await takeDown('postgres');
    try {
      const placing = client.placeOrder(randomUUID(), [{ sku: 'BOOK-1', quantity: 1 }]);
      await expect(placing).rejects.toThrow(/answered 503.*the database is unavailable/);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    } finally {
      await bringBack('postgres');
    }
    // Placed while the server comes back: the first attempts may meet a pool that has not reconnected yet.
    await workload.placeMany(10);

    await expectInvariants(workload);
  }, 240_000);
});
