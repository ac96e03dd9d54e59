/**
 * Topic names and shapes, in one place. Handlers never spell a topic name; they name event types,
 * and the catalogue maps each type to its topic.
 */
export const Topics = {
  orderEvents: 'order-events',
  paymentEvents: 'payment-events',
  inventoryEvents: 'inventory-events',
  shippingEvents: 'shipping-events',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export type TopicSpec = {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
};

/** More than one partition, so that per-key (per-order) ordering is something the design must earn. */
export const DEFAULT_PARTITIONS = 6;

export const sagaTopicSpecs = (partitions = DEFAULT_PARTITIONS): TopicSpec[] =>
  Object.values(Topics).map((name) => ({ name, partitions, configs: { 'cleanup.policy': 'delete' } }));
