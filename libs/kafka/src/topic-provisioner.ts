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
      // Another service may have created them in the meantime; anything else is a real failure.
      if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
    }
  }

  const metadata = await topicMetadata(admin, specs);
  for (const spec of specs) {
    const topic = metadata.topics.find((candidate) => candidate.name === spec.name);
    if (topic && topic.partitions.length !== spec.partitions) {
      logger.warn(`topic ${spec.name} has ${topic.partitions.length} partitions, expected ${spec.partitions}`);
    }
  }
}

/** A topic another client has just created may not be in every broker's metadata yet: wait for it briefly. */
const topicMetadata = (admin: Admin, specs: readonly TopicSpec[]) =>
  retry(
    { initialMs: 250, maxMs: 1_000, attempts: 20 },
    {
      what: 'reading the metadata of new topics',
      logger,
      isFinal: (error) => (error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION',
    },
    () => admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.name) }),
  );
