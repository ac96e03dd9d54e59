/**
 * The saga on a replicated cluster, three brokers, every topic with three replicas and min.insync.replicas=2, as
 * the three-broker profile runs it. With one broker stopped and started, nothing is lost and the sagas go on. With
 * two stopped, a write would have one copy only: the broker refuses it (NOT_ENOUGH_REPLICAS), the outbox holds the
 * events, and everything flows once a broker is back. Needs a container engine (the cluster is the test's own).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startKafkaCluster, testInfrastructure, type KafkaCluster } from '@saga/testing';
import { Kafka, logLevel } from 'kafkajs';
import { SagaClient, TERMINAL } from './support/saga-client.js';
import { SagaServices, SERVICE_NAMES } from './support/saga-services.js';
import { report, Workload } from './support/workload.js';

const engine = testInfrastructure().containers !== undefined;
if (!engine) console.warn('replicated-cluster.e2e-spec: SKIPPED, it starts a cluster of its own with Testcontainers');

let cluster: KafkaCluster;
let saga: SagaServices;
let client: SagaClient;

beforeAll(async () => {
  if (!engine) return;
  cluster = await startKafkaCluster();
  const env = { KAFKA_SESSION_TIMEOUT_MS: '6000', ORDER_DEADLINE_MS: String(60 * 60_000) };
  saga = await SagaServices.start(Object.fromEntries(SERVICE_NAMES.map((name) => [name, env])), {
    kafkaBrokers: cluster.brokers,
    serviceKafkaBrokers: cluster.serviceBrokers,
    replication: { factor: 3, minInSync: 2 },
  });
  client = new SagaClient(saga);
}, 240_000);

afterAll(async () => {
  await saga?.stop();
  await cluster?.stop();
});

/** Writes one record with acks=all to a topic of the run, through the third broker; returns what it said. */
async function writeOneRecord(): Promise<string> {
  const producer = new Kafka({
    clientId: 'e2e-probe',
    brokers: [cluster.brokers[2]!], // the one left running
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic: saga.topic('orders.dlq'), acks: -1, timeout: 5_000, messages: [{ value: 'probe' }] });
    return 'written';
  } catch (error) {
    return typeOf(error) ?? (error as Error).message;
  } finally {
    await producer.disconnect();
  }
}

/** The Kafka error type of `error`, wherever kafkajs put it. */
const typeOf = (error: unknown): string | undefined => {
  const { type, cause, originalError } = error as { type?: string; cause?: unknown; originalError?: unknown };
  return type ?? (cause ? typeOf(cause) : originalError ? typeOf(originalError) : undefined);
};

const pendingOutboxRows = async () => {
  const counts = await Promise.all(
    SERVICE_NAMES.map((name) =>
      saga.query<{ n: number }>(name, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL'),
    ),
  );
  return counts.reduce((sum, [row]) => sum + row!.n, 0);
};

(engine ? describe : describe.skip)('three brokers, three replicas, min.insync.replicas=2', () => {
  it('a broker stopped and started mid-run loses nothing: every saga ends as it must, every invariant holds', async () => {
    const workload = await Workload.prepare(saga, client);
    const placing = workload.placeMany(30, { concurrency: 4, pauseMs: 1_500 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await cluster.stopBroker(0);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await cluster.startBroker(0);
    await placing;
    await workload.untilQuiet(120_000);

    expect(report(await workload.check())).not.toMatch(/FAIL/);
  }, 300_000);

  it('two brokers stopped: writes are refused, the outbox holds the events, and all flows once one is back', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(10), client.customerWithLimit(100_000)]);
    const relayFailures = () => saga.logOf('order').split('publishing failed').length - 1;
    const failedBefore = relayFailures();
    await cluster.stopBroker(0);
    await cluster.stopBroker(1);
    try {
      const orderId = await client.placeOrder(customer, [{ sku, quantity: 1 }]);

      // The broker refuses a write that only one copy would hold. (The relay meets it as NOT_ENOUGH_REPLICAS, or
      // earlier, as a transaction coordinator that cannot write its own log for the same reason.)
      const refusal = await eventually(writeOneRecord, (outcome) => outcome === 'NOT_ENOUGH_REPLICAS', {
        timeoutMs: 60_000,
        what: 'the broker refusing a write for want of in-sync replicas',
      });
      expect(refusal).toBe('NOT_ENOUGH_REPLICAS');
      await eventually(
        async () => relayFailures(),
        (failures) => failures > failedBefore,
        {
          timeoutMs: 60_000,
          what: "the order service's relay failing to publish",
        },
      );
      expect(await pendingOutboxRows()).toBeGreaterThan(0);
      expect((await client.order(orderId)).status).toBe('PENDING');

      await cluster.startBroker(1);
      expect((await client.untilStatus(orderId, ...TERMINAL)).status).toBe('COMPLETED');
      await eventually(pendingOutboxRows, (pending) => pending === 0, { timeoutMs: 60_000, what: 'outboxes empty' });
    } finally {
      await cluster.startBroker(0);
      await cluster.startBroker(1);
    }
    await client.untilViewsAgree();
  }, 300_000);
});
