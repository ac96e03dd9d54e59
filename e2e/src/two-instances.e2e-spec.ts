/**
 * Two instances of every service, as a deployment with two replicas runs them: they share each service's database
 * and consumer groups, split the partitions and the relay's lanes, and neither may pull the order view from under
 * the other. (The invariant run also runs two instances per service, and kills them one at a time.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@saga/testing';
import { request } from './support/http.js';
import { SagaClient, TERMINAL } from './support/saga-client.js';
import { SagaServices } from './support/saga-services.js';

let saga: SagaServices;
let client: SagaClient;

beforeAll(async () => {
  saga = await SagaServices.start({}, { instances: 2 });
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

const runSagas = async () => {
  const placed = await client.placeEveryOutcome();
  for (const { orderId, ends } of placed) {
    const order = await client.untilStatus(orderId, ...TERMINAL);
    expect({ status: order.status, reason: order.reason }).toMatchObject(ends);
  }
};

describe('two instances of every service', () => {
  it('run the saga to every outcome together', async () => {
    await runSagas();
    await client.untilViewsAgree();
  });

  it('refuse to rebuild a view that the other instance is using: 409, and nothing touched', async () => {
    const before = await client.untilViewsAgree();

    const response = await request<{ message: string }>('POST', `${saga.url('payment', 1)}/admin/order-view/rebuild`);

    expect(response.status).toBe(409);
    expect(response.body.message).toContain('a rebuild would empty the view they use');
    expect(await client.orderView('payment')).toMatchObject({ count: before.count, state: 'live' });
    await runSagas();
  });

  it('both start on a wiped view: one rebuilds it, the other joins, and the sagas go on', async () => {
    await runSagas();
    await saga.stopService('inventory');
    await saga.query('inventory', `TRUNCATE order_view, order_view_position`);

    await saga.startService('inventory'); // both instances at once

    for (const instance of [0, 1]) {
      await eventually(
        () => request<{ state: string }>('GET', `${saga.url('inventory', instance)}/admin/order-view`),
        (response) => response.body.state === 'live',
        { timeoutMs: 60_000, what: `inventory #${instance + 1} live` },
      );
    }
    await client.untilViewsAgree();
    await runSagas();
  });
});
