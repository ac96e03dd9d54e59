/**
 * The topic provisioner, against a real broker: it creates what is missing as specified, and refuses, with a
 * message that says what to fix, an existing topic that would break a promise (a compacted topic that deletes, fewer
 * copies than the deployment counts on).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { sagaTopicSpecs, Topics, type TopicSpec } from '@saga/events';
import { testInfrastructure } from '@saga/testing';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { provisionTopics, TopicMismatch } from './topic-provisioner.js';

const kafka = new Kafka({
  clientId: 'provisioner-int-spec',
  brokers: testInfrastructure().kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
let admin: Admin;
const created: string[] = [];

/** The saga's topics under a prefix of this test's own. */
const specsFor = (prefix: string, replication = { factor: 1, minInSync: 1 }): TopicSpec[] => {
  const specs = sagaTopicSpecs(2, prefix, replication);
  created.push(...specs.map((spec) => spec.name));
  return specs;
};
const prefix = () => `provisioner-${randomUUID().slice(0, 8)}.`;

const configOf = async (topic: string, name: string) => {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }],
  });
  return resources[0]!.configEntries[0]!.configValue;
};

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

it('creates the missing topics with their partitions, replication and configs', async () => {
  const specs = specsFor(prefix());

  await provisionTopics(admin, specs);

  const orders = specs.find((spec) => spec.name.endsWith(Topics.orders))!.name;
  expect(await configOf(orders, 'cleanup.policy')).toBe('compact');
  expect(await configOf(orders, 'min.insync.replicas')).toBe('1');
  const { topics } = await admin.fetchTopicMetadata({ topics: [orders] });
  expect(topics[0]!.partitions).toHaveLength(2);
  await expect(provisionTopics(admin, specs)).resolves.toBeUndefined(); // and again, as every start does
});

it('refuses an existing orders topic that deletes instead of compacting, saying what to fix', async () => {
  const specs = specsFor(prefix());
  const orders = specs.find((spec) => spec.name.endsWith(Topics.orders))!;
  // As someone might have made it by hand, or a broker's auto-creation would.
  await provisionTopics(admin, [{ ...orders, configs: { ...orders.configs, 'cleanup.policy': 'delete' } }]);

  const refusal = provisionTopics(admin, specs);

  await expect(refusal).rejects.toThrow(TopicMismatch);
  await expect(refusal).rejects.toThrow(`${orders.name} has cleanup.policy=delete, expected compact`);
  expect(await configOf(orders.name, 'cleanup.policy')).toBe('delete'); // left as it was, for a human to decide
});

it('refuses existing topics with fewer replicas, or a lower min.insync.replicas, than configured', async () => {
  const name = prefix();
  await provisionTopics(admin, specsFor(name)); // one replica each, min.insync.replicas=1

  const refusal = provisionTopics(admin, specsFor(name, { factor: 2, minInSync: 2 }));

  await expect(refusal).rejects.toThrow(`${name}${Topics.orders} has 1 replica(s) per partition, expected 2`);
  await expect(refusal).rejects.toThrow(`${name}${Topics.orders} has min.insync.replicas=1, expected 2`);
});
