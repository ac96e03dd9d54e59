/**
 * Compaction on the real broker: after the log cleaner has run, reading `orders` from offset 0 gives exactly one
 * record per live order, its newest snapshot; every superseded record is gone, and an erased order's tombstone
 * disappears once its retention has passed. The cleaner settings here are fast on purpose, for this test only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Topics, type OrderSnapshot } from '@saga/events';
import { eventually, TopicReader, type ReadMessage } from '@saga/testing';
import kafkajs from 'kafkajs';
import { SagaClient, TERMINAL } from './support/saga-client.js';
import { SagaServices } from './support/saga-services.js';

let saga: SagaServices;
let client: SagaClient;

/** Segments roll after 100 ms (the cleaner never touches the active one), and are cleaned at once. */
const FAST_CLEANER = {
  'segment.ms': '100',
  'min.cleanable.dirty.ratio': '0.01',
  'min.compaction.lag.ms': '0',
  'max.compaction.lag.ms': '500',
  'delete.retention.ms': '1000',
};

beforeAll(async () => {
  saga = await SagaServices.start();
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
});

/**
 * Adds the fast cleaner settings to the topic as the services created it. alterConfigs replaces all of a topic's
 * overrides, so its cleanup.policy is read and given back unchanged: the policy under test is the project's.
 */
async function speedUpTheCleaner(): Promise<void> {
  const resource = { type: kafkajs.ConfigResourceTypes.TOPIC, name: saga.topic(Topics.orders) };
  await saga.withAdmin(async (admin) => {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [resource] });
    const policy = resources[0]!.configEntries.find((entry) => entry.configName === 'cleanup.policy')!.configValue;
    const settings = { ...FAST_CLEANER, 'cleanup.policy': policy };
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ ...resource, configEntries: Object.entries(settings).map(([name, value]) => ({ name, value })) }],
    });
  });
}

/** Everything `orders` holds right now, from offset 0 to the end of every partition. */
async function readWholeLog(): Promise<ReadMessage[]> {
  const reader = await TopicReader.start(saga.kafkaBrokers, [saga.topic(Topics.orders)]);
  try {
    return await saga.withAdmin((admin) => reader.untilEnd(admin, saga.topic(Topics.orders)));
  } finally {
    await reader.stop();
  }
}

const versionOf = (message: ReadMessage) => (JSON.parse(message.value!) as OrderSnapshot).version;

describe('the compacted orders topic', () => {
  it('keeps only the newest snapshot of each order, and drops an erased order after its tombstone', async () => {
    const [sku, customer, poor] = await Promise.all([
      client.stockedSku(100),
      client.customerWithLimit(1_000_000),
      client.customerWithLimit(10),
    ]);
    const line = [{ sku, quantity: 1 }];
    const orderIds = await Promise.all([
      ...[1, 2, 3, 4, 5].map(() => client.placeOrder(customer, line)),
      client.placeOrder(poor, line),
      client.placeOrder(customer, line, 'AQ'),
    ]);
    await Promise.all(orderIds.map((id) => client.untilStatus(id, ...TERMINAL)));
    await client.untilViewsAgree(); // compensations too: every order has its final version
    const erased = orderIds[0]!;
    expect((await client.erase(erased)).status).toBe(204);
    const live = orderIds.slice(1);
    const finalVersion = new Map(
      await Promise.all(live.map(async (id) => [id, (await client.order(id)).version] as const)),
    );

    const before = (await readWholeLog()).filter((message) => orderIds.includes(message.key!));
    const superseded = new Set(
      orderIds.flatMap((id) => {
        const records = before.filter((message) => message.key === id);
        return records.slice(0, -1).map((message) => `${message.partition}@${message.offset}`);
      }),
    );
    // Several snapshots per order before compaction, and the tombstone last for the erased one.
    expect(superseded.size).toBeGreaterThan(orderIds.length * 2);
    expect(before.filter((message) => message.key === erased).at(-1)?.value).toBeNull();

    await speedUpTheCleaner();
    // Only closed segments are cleaned, and a segment closes when a record arrives after segment.ms: keep
    // placing orders (on random keys, so on every partition sooner or later) until the cleaner has done its work.
    const after = await eventually(
      async () => {
        await Promise.all([1, 2, 3].map(() => client.placeOrder(customer, line)));
        return (await readWholeLog()).filter((message) => orderIds.includes(message.key!));
      },
      (records) =>
        records.every((message) => !superseded.has(`${message.partition}@${message.offset}`)) &&
        !records.some((message) => message.key === erased) &&
        live.every((id) => records.filter((message) => message.key === id).length === 1),
      { timeoutMs: 90_000, intervalMs: 1_000, what: 'superseded snapshots and the tombstone compacted away' },
    );

    expect(after).toHaveLength(live.length);
    for (const record of after) expect(versionOf(record)).toBe(finalVersion.get(record.key!));
  }, 150_000);
});
