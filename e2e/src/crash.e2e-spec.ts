/**
 * Crashes, for real: each service is killed (SIGKILL, no cleanup) at each point where the order of two steps
 * matters, in the middle of a saga, and started again. The saga still completes, and every effect happens exactly
 * once: one charge, one reservation turned into one sale, one shipment, no step twice in the order's history.
 *
 *   relay.before-send      the business transaction committed; its events are still only in the outbox
 *   relay.after-send       the events are in Kafka; the outbox rows are not marked (they will be sent again)
 *   consumer.after-commit  the handler's transaction committed; the offset is not (the event comes again)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { faultPoints } from '@saga/runtime';
import { eventually } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { countSteps, SagaClient } from './support/saga-client.js';
import { SagaServices, SERVICE_NAMES } from './support/saga-services.js';

let saga: SagaServices;
let client: SagaClient;
const LIMIT = 100_000;

beforeAll(async () => {
  // A killed consumer's partitions move to its restarted self once the group gives up on it: make that quick.
  const fastFailover = { KAFKA_SESSION_TIMEOUT_MS: '6000' };
  saga = await SagaServices.start(Object.fromEntries(SERVICE_NAMES.map((name) => [name, fastFailover])));
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

const scenarios = SERVICE_NAMES.flatMap((service) => faultPoints.map((point) => [service, point] as const));

describe('a service killed mid-saga and restarted', () => {
  it.each(scenarios)('%s killed at %s: the order completes, every effect exactly once', async (service, point) => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(LIMIT)]);
    await saga.stopService(service);
    await saga.startService(service, { FAULT_CRASH_AT: point });

    // The order service may die before it answers: the client retries with the same Idempotency-Key.
    const key = randomUUID();
    const place = () => client.placeOrder(customer, [{ sku, quantity: 2 }], 'GB', key);
    const placed = await place().catch(() => undefined);
    expect(await saga.untilExited(service)).toBe('SIGKILL');
    await saga.startService(service);
    const orderId = placed ?? (await place());

    const sagaSteps = ['OrderPlaced', 'PaymentAuthorized', 'StockReserved', 'ShipmentScheduled', 'OrderCompleted'];
    expect((await client.untilStatus(orderId, 'COMPLETED', 'CANCELLED')).status).toBe('COMPLETED');
    // After a restart, a step can reach the order service after the one that completed it (they travel on
    // different topics); it is recorded late. Wait for every step, then count: each exactly once.
    const order = await eventually(
      () => client.order(orderId),
      (seen) => sagaSteps.every((step) => countSteps(seen)[step]),
      { what: `every step in the history of ${orderId}` },
    );
    expect(countSteps(order)).toEqual(Object.fromEntries(sagaSteps.map((step) => [step, 1])));
    expect(await client.credit(customer)).toMatchObject({ availableCents: LIMIT - 3000 });
    await eventually(
      () => client.stock(sku),
      (stock) => stock.reserved === 0,
      { what: `the reservation of ${sku} sold` },
    );
    expect(await client.stock(sku)).toMatchObject({ available: 3, reserved: 0, sold: 2 });
    expect(await client.shipmentStatus(orderId)).toBe('SCHEDULED');
    expect((await client.orders()).filter((listed) => listed.customerId === customer)).toHaveLength(1);
  });
});
