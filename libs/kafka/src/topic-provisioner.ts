/**
 * Topics are created on purpose, with their partitions and configs, never by a broker's auto-creation
 * (which would give them the broker's defaults). Safe to run from every service at every start.
 */
import { Logger } from '@nestjs/common';
import type { TopicSpec } from '@saga/events';
import { retry } from '@saga/runtime';
import type { Admin } from 'kafkajs';

const logger = new Logger('TopicProvisioner');

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

  const metadata = await topicMetadata(admin, specs);
  for (const spec of specs) {
    const topic = metadata.topics.find((candidate) => candidate.name === spec.name);
    if (topic && topic.partitions.length !== spec.partitions) {
      logger.warn(`topic ${spec.name} has ${topic.partitions.length} partitions, expected ${spec.partitions}`);
    }
  }
}

const typeOf = (error: unknown) => (error as { type?: string }).type;
const stillPropagating = (error: unknown) =>
  ['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'].includes(typeOf(error) ?? '');

/** A topic another client has just created may not be in every broker's metadata yet: wait for it briefly. */
const topicMetadata = (admin: Admin, specs: readonly TopicSpec[]) =>
  retry(
    { initialMs: 250, maxMs: 1_000, attempts: 20 },
    {
      what: 'reading the metadata of new topics',
      logger,
      isFinal: (error) => !stillPropagating(error),
    },
    () => admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.name) }),
  );
