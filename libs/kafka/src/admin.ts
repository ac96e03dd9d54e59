import type { Admin, Kafka } from 'kafkajs';

/** A Kafka admin client for the length of `work`. */
export async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The partitions of `topic` that `groupId` has not read to the end, each with the end offset it still has to
 * reach. Empty when the group is caught up. A group without a committed offset starts at the first offset.
 * `ends`: the topic's offsets as they were at some moment (to ask "has it read what was there then?"); now unless
 * given.
 */
export async function unreadPartitions(
  admin: Admin,
  groupId: string,
  topic: string,
  ends?: Awaited<ReturnType<Admin['fetchTopicOffsets']>>,
): Promise<Map<number, bigint>> {
  const [topicEnds, [committed]] = await Promise.all([
    ends ?? admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const position = new Map(committed!.partitions.map(({ partition, offset }) => [partition, BigInt(offset)]));
  const unread = new Map<number, bigint>();
  for (const { partition, low, high } of topicEnds) {
    const committedOffset = position.get(partition) ?? -1n;
    const from = committedOffset < 0n ? BigInt(low) : committedOffset;
    if (from < BigInt(high)) unread.set(partition, BigInt(high));
  }
  return unread;
}
