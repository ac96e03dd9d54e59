/**
 * The invariant run: orders of every kind, placed while services crash and come back at random, and a few poison
 * records for good measure. Afterwards the books must balance, in every service:
 *
 *   every order ended, and as its scenario must        credit charged = totals of completed orders
 *   stock sold = quantities of completed orders        nothing left reserved
 *   one shipment per completed order, none otherwise   no event applied twice
 *   every dead letter is one of the poison records     every view equals the order service
 *
 * Every service runs as INVARIANT_INSTANCES instances (2 unless set), which share its database, its consumer
 * groups and its relay lanes; the chaos kills single instances, so partitions and lanes change hands mid-saga.
 * The test suite places INVARIANT_ORDERS orders (40 unless set); `npm run invariants` is the full run (300).
 * With INVARIANT_RATE (orders per second) they are placed on that schedule instead, as the benchmark places them:
 * `INVARIANT_RATE=20 INVARIANT_ORDERS=1200 npm run invariants` checks the books after a minute at 20/s.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Chaos } from './support/chaos.js';
import { SagaClient } from './support/saga-client.js';
import { SagaServices, SERVICE_NAMES } from './support/saga-services.js';
import { report, Workload } from './support/workload.js';

const ORDERS = Number(process.env.INVARIANT_ORDERS ?? 40);
const INSTANCES = Number(process.env.INVARIANT_INSTANCES ?? 2);
const RATE = process.env.INVARIANT_RATE ? Number(process.env.INVARIANT_RATE) : undefined;

let saga: SagaServices;
let client: SagaClient;

beforeAll(async () => {
  // A killed member's partitions go to its restarted self once the group gives up on it: make that quick. And no
  // order may time out while the services take turns dying. A run at a chosen rate measures the saga, not the
  // limit on one client's writes.
  const env = { KAFKA_SESSION_TIMEOUT_MS: '6000', ...(RATE ? { RATE_LIMIT_WRITES_PER_MINUTE: '0' } : {}) };
  saga = await SagaServices.start(
    {
      ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, env])),
      order: { ...env, ORDER_DEADLINE_MS: String(60 * 60_000) },
    },
    { instances: INSTANCES },
  );
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

it(
  `${ORDERS} orders, ${INSTANCES} instance(s) per service crashing at random: every invariant holds`,
  async () => {
    const workload = await Workload.prepare(saga, client);
    const chaos = new Chaos(saga);
    const started = Date.now();

    chaos.start();
    try {
      await workload.injectPoison();
      if (RATE) await workload.placeAtRate(ORDERS, RATE);
      // About two seconds between a client's orders: the run lasts long enough for the services to crash many times.
      else await workload.placeMany(ORDERS, { concurrency: 4, pauseMs: 4_000 });
    } finally {
      await chaos.stop();
    }
    await workload.untilQuiet(120_000);
    const checks = await workload.check();

    process.stdout.write(
      `\nInvariant run: ${ORDERS} orders${RATE ? ` at ${RATE}/s` : ''} and ${workload.poison.length} poison records, ${INSTANCES} instance(s) ` +
        `per service, in ` +
        `${Math.round((Date.now() - started) / 1000)} s, ${chaos.kills} services killed, ` +
        `${chaos.faultCrashes} crashed at a fault point\n  ${chaos.events.join(', ') || 'no crash'}\n` +
        `${report(checks)}\n\n`,
    );
    expect(report(checks)).not.toMatch(/FAIL/);
  },
  120_000 + ORDERS * 3_000,
);
