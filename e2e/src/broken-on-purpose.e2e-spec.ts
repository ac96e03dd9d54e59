/**
 * What the outbox and the inbox are for, shown by turning each off and running a fault that crash.e2e-spec.ts
 * shows harmless with them on. These tests pass when the damage happens: they document it.
 *
 *   SAGA_INBOX=off   the order service dies after applying PaymentAuthorized, before committing its offset: the
 *                    event comes again and is applied again (payment, inventory and shipping would shrug a copy
 *                    off by their own facts; the order's history and version would not).
 *   SAGA_OUTBOX=off  the order service commits the order, then dies before sending OrderPlaced: the order exists,
 *                    no other service ever hears of it, and it stays PENDING until its deadline.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { request } from './support/http.js';
import { countSteps, SagaClient } from './support/saga-client.js';
import { SagaServices, SERVICE_NAMES } from './support/saga-services.js';

const LIMIT = 100_000;
const fastFailover = Object.fromEntries(SERVICE_NAMES.map((name) => [name, { KAFKA_SESSION_TIMEOUT_MS: '6000' }]));
let saga: SagaServices | undefined;

afterEach(async () => {
  await saga?.stop();
  saga = undefined;
});

describe('broken on purpose', () => {
  it('without the inbox, a redelivered step is applied twice: the order records PaymentAuthorized twice', async () => {
    saga = await SagaServices.start({ ...fastFailover, order: { ...fastFailover.order, SAGA_INBOX: 'off' } });
    const client = new SagaClient(saga);
    const [sku, customer] = await Promise.all([client.stockedSku(5, 3000), client.customerWithLimit(LIMIT)]);
    await saga.stopService('order');
    await saga.startService('order', { FAULT_CRASH_AT: 'consumer.after-commit' }); // this start only

    const key = randomUUID();
    const place = () => client.placeOrder(customer, [{ sku, quantity: 1 }], 'GB', key);
    const placed = await place().catch(() => undefined); // the service may die before it answers
    expect(await saga.untilExited('order')).toBe('SIGKILL'); // right after it applied PaymentAuthorized
    await saga.startService('order');
    const orderId = placed ?? (await place());

    const order = await client.untilHistory(orderId, 'PaymentAuthorized', 2);
    expect(countSteps(order).PaymentAuthorized).toBe(2);
    expect(await client.credit(customer)).toMatchObject({ availableCents: LIMIT - 3000 }); // payment: once
  });

  it('without the outbox, a crash between commit and send loses OrderPlaced: the saga never starts', async () => {
    saga = await SagaServices.start({ ...fastFailover, order: { ...fastFailover.order, SAGA_OUTBOX: 'off' } });
    const client = new SagaClient(saga);
    const [sku, customer] = await Promise.all([client.stockedSku(5, 3000), client.customerWithLimit(LIMIT)]);
    await saga.stopService('order');
    await saga.startService('order', { FAULT_CRASH_AT: 'relay.before-send' }); // this start only

    const key = randomUUID();
    const place = () => client.placeOrder(customer, [{ sku, quantity: 1 }], 'GB', key);
    const placed = await place().catch(() => undefined); // the service may die before it answers
    expect(await saga.untilExited('order')).toBe('SIGKILL');
    await saga.startService('order');
    const orderId = placed ?? (await place());

    await new Promise((resolve) => setTimeout(resolve, 5_000)); // far longer than a saga takes
    const order = await client.order(orderId);
    expect(order).toMatchObject({ status: 'PENDING' });
    expect(order.history.map((step) => step.type)).toEqual(['OrderPlaced']); // recorded, never sent
    expect((await request('GET', `${saga.url('payment')}/payments/${orderId}`)).status).toBe(404);
    expect(await client.credit(customer)).toMatchObject({ availableCents: LIMIT });
  });
});
