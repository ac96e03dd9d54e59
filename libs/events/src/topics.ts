/**
 * Topic names and shapes, in one place. Handlers never spell a topic name; they name event types,
 * and the catalogue maps each type to its topic.
 */
export const Topics = {
  orderEvents: 'order-events',
  paymentEvents: 'payment-events',
  inventoryEvents: 'inventory-events',
  shippingEvents: 'shipping-events',
  /** The latest snapshot of every order, compacted: the log other services rebuild their order views from. */
  orders: 'orders',
  /**
   * The latest snapshot of every product (its name and price), compacted: inventory owns it, and the order service
   * keeps a view of it to price orders with.
   */
  products: 'products',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** The topics that hold state (the newest record of each key) rather than history: compacted. */
export const STATE_TOPICS: readonly TopicName[] = [Topics.orders, Topics.products];

export type TopicSpec = {
  readonly name: string;
  readonly partitions: number;
  /** Copies of each partition, on as many brokers. */
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
};

/**
 * How many copies of every record the cluster keeps, and how many must have it before the producer hears "written"
 * (`acks=all`). With 3 and 2, one broker can be lost with nothing lost, and writes stop (rather than keep one copy)
 * when two are down. One broker, as in the local mode: 1 and 1.
 */
export type Replication = { readonly factor: number; readonly minInSync: number };

export const SINGLE_BROKER: Replication = { factor: 1, minInSync: 1 };

/** More than one partition, so that per-key (per-order) ordering is something the design must earn. */
export const DEFAULT_PARTITIONS = 6;

/** Where a consumer sets aside the records of `topic` it can never process (see the outbox library's DeadLetters). */
export const DEAD_LETTER_SUFFIX = '.dlq';

/**
 * The event topics keep history (`delete`: records expire after the retention). `orders` and `products` keep
 * state (`compact`: the log cleaner keeps at least the newest record of each key, and drops a key whose newest
 * record is a tombstone once `delete.retention.ms` has passed). Each has a dead-letter topic, which keeps its
 * records until someone deals with them (`retention.ms=-1`): a dead letter must not expire unseen.
 */
export function sagaTopicSpecs(
  partitions = DEFAULT_PARTITIONS,
  prefix = '',
  replication: Replication = SINGLE_BROKER,
): TopicSpec[] {
  const topic = (name: string, configs: Record<string, string>): TopicSpec => ({
    name,
    partitions,
    replicationFactor: replication.factor,
    configs: { ...configs, 'min.insync.replicas': String(replication.minInSync) },
  });
  return Object.values(Topics).flatMap((name) => [
    topic(prefix + name, { 'cleanup.policy': STATE_TOPICS.includes(name) ? 'compact' : 'delete' }),
    topic(prefix + name + DEAD_LETTER_SUFFIX, { 'cleanup.policy': 'delete', 'retention.ms': '-1' }),
  ]);
}
