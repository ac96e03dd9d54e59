/**
 * Sends dead-lettered records back to the topic they came from, once the cause is fixed (a consumer upgraded to
 * read a new event version, a bug in a handler repaired). The record goes back as it was: same key (so the same
 * partition and order), same value and headers, minus the dead-letter headers. Every consumer of that topic sees
 * it again; those that had applied it find its id in their inbox and do nothing.
 *
 * The redrive reads the dead-letter topic in a consumer group of its own and commits what it has sent, so each
 * record is redriven once; a record that fails again is dead-lettered again, and can be redriven again. Several
 * consumer groups read one topic, so one bad record can have several dead letters (one per group that gave up on
 * it): it is sent back once, since every group sees it again anyway.
 */
import { DEAD_LETTER_SUFFIX, Topics } from '@saga/events';
import { unreadPartitions, withAdmin } from '@saga/kafka';
import type { IHeaders, Kafka } from 'kafkajs';
import { DeadLetterHeader } from './dead-letters.js';

export type RedriveResult = {
  readonly redriven: number;
  readonly bySourceTopic: Readonly<Record<string, number>>;
  /** Dead letters of a record already sent back by this redrive (another group's dead letter of it). */
  readonly copies: number;
};

const dropped = new Set<string>(Object.values(DeadLetterHeader));

/** A compacted topic keeps the newest record of each key: a redriven snapshot could be an older one. */
export class NotRedrivable extends Error {
  override readonly name = 'NotRedrivable';
}

export async function redriveDeadLetters(
  kafka: Kafka,
  { deadLetterTopic, groupId }: { deadLetterTopic: string; groupId: string },
): Promise<RedriveResult> {
  if (deadLetterTopic.endsWith(`${Topics.orders}${DEAD_LETTER_SUFFIX}`)) {
    throw new NotRedrivable(
      `${deadLetterTopic} cannot be redriven: a snapshot sent back could land after a newer one of its order (or ` +
        `bring back an erased order). Republish the current snapshots instead: POST /admin/order-view/republish ` +
        `on the order service (npm run republish-snapshots)`,
    );
  }
  if (deadLetterTopic.endsWith(`${Topics.products}${DEAD_LETTER_SUFFIX}`)) {
    throw new NotRedrivable(
      `${deadLetterTopic} cannot be redriven: a product snapshot sent back could land after a newer one of its SKU. ` +
        'Set the product again instead (PUT /products/:sku on the inventory service): its new snapshot replaces it',
    );
  }
  // Only what is there now: records dead-lettered while this runs wait for the next redrive.
  const remaining = await withAdmin(kafka, (admin) => unreadPartitions(admin, groupId, deadLetterTopic));
  const bySourceTopic: Record<string, number> = {};
  const sent = new Set<string>();
  let copies = 0;
  if (remaining.size === 0) return { redriven: 0, bySourceTopic, copies };

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    let done!: () => void;
    let failed!: (error: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
    await consumer.subscribe({ topics: [deadLetterTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition);
        if (end === undefined || BigInt(message.offset) >= end) return;
        try {
          const source = message.headers?.[DeadLetterHeader.sourceTopic]?.toString();
          if (!source) throw new Error(`${deadLetterTopic}[${partition}]@${message.offset} names no source topic`);
          const headers: IHeaders = Object.fromEntries(
            Object.entries(message.headers ?? {}).filter(([name]) => !dropped.has(name)),
          );
          headers['redriven-from'] = `${deadLetterTopic}[${partition}]@${message.offset}`;
          const header = (name: string) => message.headers?.[name]?.toString();
          const origin = `${source}[${header(DeadLetterHeader.sourcePartition)}]@${header(DeadLetterHeader.sourceOffset)}`;
          if (sent.has(origin)) {
            copies++;
          } else {
            await producer.send({
              topic: source,
              acks: -1,
              messages: [{ key: message.key, value: message.value, headers }],
            });
            sent.add(origin);
            bySourceTopic[source] = (bySourceTopic[source] ?? 0) + 1;
          }
          await consumer.commitOffsets([
            { topic: deadLetterTopic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
          if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) done();
        } catch (error) {
          failed(error);
          throw error;
        }
      },
    });
    await finished;
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
  }
  return { redriven: Object.values(bySourceTopic).reduce((sum, n) => sum + n, 0), bySourceTopic, copies };
}
