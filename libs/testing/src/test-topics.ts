import { sagaTopicSpecs } from '@saga/events';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The saga's topics under a prefix of their own (`<name>-<random>.order-events`, ...), for one test file: what it
 * writes and dead-letters never reaches the real topics, which a local run of the services may be reading.
 */
export class TestTopics {
  private constructor(
    private readonly kafka: Kafka,
    /** Put before every topic name; give it to the code under test as its topic prefix. */
    readonly prefix: string,
  ) {}

  static async create(brokers: string[], name: string, partitions = 3): Promise<TestTopics> {
    const kafka = new Kafka({ clientId: `${name}-topics`, brokers, logLevel: logLevel.NOTHING });
    const topics = new TestTopics(kafka, `${name}-${randomUUID().slice(0, 8)}.`);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: sagaTopicSpecs(partitions, topics.prefix).map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.configs).map(([config, value]) => ({ name: config, value })),
        })),
      });
    } finally {
      await admin.disconnect();
    }
    return topics;
  }

  /** The test's name for a saga topic. */
  name(topic: string): string {
    return this.prefix + topic;
  }

  async delete(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: sagaTopicSpecs(1, this.prefix).map((spec) => spec.name) });
    } finally {
      await admin.disconnect();
    }
  }
}
