/**
 * Dead-letter topics. A message that can never be processed (not JSON, an unknown type or version, data that
 * fails validation, an event its handler rejects) must neither block its partition nor vanish. It goes to
 * `<topic>.dlq` unchanged (key, value, headers), with headers saying why and where it came from; then the
 * consumer moves on. `npm run redrive` sends it back to its topic once the cause is fixed, and the inbox makes
 * a second delivery of an event that was applied after all harmless.
 *
 * Only what can never succeed is dead-lettered. A database or broker outage is retried, holding the partition.
 */
import { Logger } from '@nestjs/common';
import { DEAD_LETTER_SUFFIX } from '@saga/events';
import { LazyConnection } from '@saga/runtime';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';

export const deadLetterTopic = (topic: string): string => topic + DEAD_LETTER_SUFFIX;

/** Headers added to a dead-lettered record. The redrive removes them again. */
export const DeadLetterHeader = {
  reason: 'dlq-reason',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  /** The consumer (group) that gave up on it. */
  consumer: 'dlq-consumer',
  failedAt: 'dlq-failed-at',
} as const;

export type DeadLetter = {
  readonly topic: string;
  readonly partition: number;
  readonly message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;
  readonly reason: string;
  readonly consumer: string;
};

export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);
  private readonly connection: LazyConnection<Producer>;

  constructor(producer: Producer) {
    this.connection = LazyConnection.of(producer);
  }

  /** Resolves once the broker has the record (acks=all); throws when it cannot, so the caller retries. */
  async send({ topic, partition, message, reason, consumer }: DeadLetter, now = new Date()): Promise<void> {
    const producer = await this.connection.get();
    const headers: IHeaders = {
      ...message.headers,
      [DeadLetterHeader.reason]: reason,
      [DeadLetterHeader.sourceTopic]: topic,
      [DeadLetterHeader.sourcePartition]: String(partition),
      [DeadLetterHeader.sourceOffset]: message.offset,
      [DeadLetterHeader.consumer]: consumer,
      [DeadLetterHeader.failedAt]: now.toISOString(),
    };
    await producer.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    this.logger.warn(`dead-lettered ${topic}[${partition}]@${message.offset} to ${deadLetterTopic(topic)}: ${reason}`);
  }

  async close(): Promise<void> {
    await this.connection.close((producer) => producer.disconnect());
  }
}
