/**
 * The saga's deadline: an order that cannot finish (here, shipping is down) is cancelled with TIMED_OUT and
 * compensated; when shipping comes back, the late step must not revive the order nor ship it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countSteps, SagaClient } from './support/saga-client.js';
import { SagaServices } from './support/saga-services.js';

let saga: SagaServices;
let client: SagaClient;
const DEADLINE_MS = 4_000;

beforeAll(async () => {
  saga = await SagaServices.start({
    order: { ORDER_DEADLINE_MS: String(DEADLINE_MS), ORDER_DEADLINE_CHECK_MS: '250' },
  });
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

describe('the deadline', () => {
  it('an order still running at its deadline is CANCELLED with TIMED_OUT and compensated; a late shipment does not revive it', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(50_000)]);
    await saga.stopService('shipping');

    const orderId = await client.placeOrder(customer, [{ sku, quantity: 2 }]);
    await client.untilStatus(orderId, 'STOCK_RESERVED');
    const timedOut = await client.untilStatus(orderId, 'CANCELLED', 'COMPLETED');
    expect(timedOut).toMatchObject({ status: 'CANCELLED', reason: 'TIMED_OUT' });

    await client.untilHistory(orderId, 'PaymentRefunded');
    await client.untilHistory(orderId, 'StockReleased');
    expect(await client.credit(customer)).toMatchObject({ availableCents: 50_000 });
    expect(await client.stock(sku)).toMatchObject({ available: 5, reserved: 0, sold: 0 });

    await saga.startService('shipping'); // catches up on StockReserved and OrderCancelled, in whatever order
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const order = await client.order(orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'TIMED_OUT' });
    expect(countSteps(order)).toMatchObject({ PaymentRefunded: 1, StockReleased: 1, OrderCancelled: 1 });
    expect(countSteps(order)).not.toHaveProperty('OrderCompleted');
    expect(await client.shipmentStatus(orderId)).not.toBe('SCHEDULED');
  });
});
