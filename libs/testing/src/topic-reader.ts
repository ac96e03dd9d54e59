import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaMessage } from 'kafkajs';

export type ReadMessage = {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
};

/**
 * Reads topics from the beginning, in a consumer group of its own. Tests pick out the messages of their own keys
 * (`messages.filter(...)`), so what earlier runs left on a long-lived broker does not disturb them.
 */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  /** Per topic and partition: the next offset to read, past transaction markers and aborted records too. */
  private readonly next = new Map<string, bigint>();

  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string[], topics: string[]): Promise<TopicReader> {
    const kafka = new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
    const reader = new TopicReader(consumer);
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      reader.next.set(`${payload.topic}/${payload.partition}`, BigInt(payload.lastOffset) + 1n);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        reader.messages.push(read(topic, partition, message));
      },
    });
    return reader;
  }

  /** Waits until `done(messages)` holds, or fails after `timeoutMs` showing what was read. */
  async waitFor(done: (messages: ReadMessage[]) => boolean, timeoutMs = 20_000): Promise<ReadMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.messages)) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms; read ${this.messages.length} messages`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.messages;
  }

  /**
   * Waits until every partition of `topic` has been read to its end as it is now: the whole log, committed records
   * only (the markers and aborted records of transactions are read past, never shown).
   */
  async untilEnd(admin: Admin, topic: string, timeoutMs = 20_000): Promise<ReadMessage[]> {
    const ends = await admin.fetchTopicOffsets(topic);
    const deadline = Date.now() + timeoutMs;
    const unread = () =>
      ends.filter(({ partition, high }) => (this.next.get(`${topic}/${partition}`) ?? 0n) < BigInt(high));
    while (unread().length > 0) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms before the end of ${topic}: ${JSON.stringify(unread())}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.messages.filter((message) => message.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

const read = (topic: string, partition: number, message: KafkaMessage): ReadMessage => ({
  topic,
  partition,
  offset: message.offset,
  key: message.key?.toString() ?? null,
  value: message.value?.toString() ?? null,
  headers: Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? '']),
  ),
});
