/**
 * Topics are created on purpose, with their partitions, replication and configs, never by a broker's
 * auto-creation (which would give them the broker's defaults). Safe to run from every service at every start.
 *
 * A topic that exists already is checked against its spec, and a difference that would break a promise stops the
 * service with a message saying what to fix: `orders` with `cleanup.policy=delete` would lose every order's
 * snapshot after the retention; fewer replicas or a lower `min.insync.replicas` than asked for would let
 * `acks=all` mean fewer copies than the deployment counts on.
 */
import { Logger } from '@nestjs/common';
import type { TopicSpec } from '@saga/events';
import { retry } from '@saga/runtime';
import kafkajs, { type Admin } from 'kafkajs';

// Not among the names Node finds in kafkajs's CommonJS exports: taken from the default export.
const { ConfigResourceTypes } = kafkajs;

const logger = new Logger('TopicProvisioner');

/** Configs whose value on an existing topic must be the spec's (more copies than asked for is fine). */
const checkedConfigs = ['cleanup.policy', 'min.insync.replicas'] as const;

export class TopicMismatch extends Error {
  override readonly name = 'TopicMismatch';
}

export async function provisionTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    await retry(
      { initialMs: 250, maxMs: 2_000, attempts: 10 },
      // A broker that has just created (or deleted) topics may not know of them yet when asked for their leaders.
      { what: 'creating topics', logger, isFinal: (error) => !stillPropagating(error) },
      async () => {
        try {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((spec) => ({
              topic: spec.name,
              numPartitions: spec.partitions,
              replicationFactor: spec.replicationFactor,
              configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
            })),
          });
          logger.log(`created topics ${missing.map((spec) => spec.name).join(', ')}`);
        } catch (error) {
          // Another service (or an earlier attempt) created them in the meantime; anything else is a failure.
          if (typeOf(error) !== 'TOPIC_ALREADY_EXISTS') throw error;
        }
      },
    );
  }
  await checkTopics(admin, specs);
}

/** Throws a TopicMismatch listing every way the topics differ from their specs that breaks a promise. */
async function checkTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  const names = specs.map((spec) => spec.name);
  const [metadata, configs] = await Promise.all([
    whilePropagating('reading the metadata of new topics', () => admin.fetchTopicMetadata({ topics: names })),
    whilePropagating('reading the configs of new topics', () =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: [...checkedConfigs] })),
      }),
    ),
  ]);
  const problems: string[] = [];
  for (const spec of specs) {
    const topic = metadata.topics.find((candidate) => candidate.name === spec.name);
    if (!topic) continue;
    if (topic.partitions.length !== spec.partitions) {
      // Not refused: the key of a record still picks its partition, so per-key order holds; only spread differs.
      logger.warn(`topic ${spec.name} has ${topic.partitions.length} partitions, expected ${spec.partitions}`);
    }
    const replicas = Math.min(...topic.partitions.map((partition) => partition.replicas.length));
    if (replicas < spec.replicationFactor) {
      problems.push(`${spec.name} has ${replicas} replica(s) per partition, expected ${spec.replicationFactor}`);
    }
    const actual = configs.resources.find((resource) => resource.resourceName === spec.name)?.configEntries ?? [];
    for (const name of checkedConfigs) {
      const expected = spec.configs[name];
      const value = actual.find((entry) => entry.configName === name)?.configValue;
      if (expected !== undefined && value !== expected) {
        problems.push(`${spec.name} has ${name}=${value}, expected ${expected}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new TopicMismatch(
      `existing topics differ from what this service needs:\n  - ${problems.join('\n  - ')}\n` +
        'Change them (kafka-configs.sh --alter, kafka-reassign-partitions.sh), or delete them and let the ' +
        'services create them; see docs/running-it.md, "Topics".',
    );
  }
}

const typeOf = (error: unknown) => (error as { type?: string }).type;
const stillPropagating = (error: unknown) =>
  ['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'].includes(typeOf(error) ?? '');

/**
 * A topic another client has just created may not be known to every broker yet, in its metadata or its configs
 * ("This server does not host this topic-partition" from one of three brokers, say): wait for it briefly.
 */
const whilePropagating = <T>(what: string, read: () => Promise<T>): Promise<T> =>
  retry(
    { initialMs: 250, maxMs: 1_000, attempts: 20 },
    { what, logger, isFinal: (error) => !stillPropagating(error) },
    read,
  );
