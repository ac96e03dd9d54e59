/**
 * The AsyncAPI document of every topic and every record on it, generated from the code that defines them: the
 * event catalogue (topic, version, zod schema of each event's data), the envelope, the snapshot schema, and each
 * service's `@OnEvent` handlers (who receives what). A test keeps the committed document equal to this one.
 */
import {
  DEAD_LETTER_SUFFIX,
  DEFAULT_PARTITIONS,
  envelopeSchema,
  eventCatalogue,
  isCompensation,
  ORDER_SNAPSHOT,
  orderSnapshotSchema,
  PRODUCT_SNAPSHOT,
  productSnapshotSchema,
  sagaParticipants,
  STATE_TOPICS,
  Topics,
  topicOf,
  type SagaEventType,
  type TopicName,
} from '@saga/events';
import { DeadLetterHeader } from '@saga/inbox';
import { z } from 'zod';

/** Who writes which topics, who reads which events, and who keeps a view of `orders` (see @saga/events participants.ts). */
const participants = Object.entries(sagaParticipants).map(([name, { writes, reactsTo, views }]) => ({
  name,
  writes,
  handles: reactsTo,
  views,
}));

const topicDescriptions: Record<TopicName, string> = {
  [Topics.orderEvents]: "What happened to an order, as the order service decided it: the saga's start and end.",
  [Topics.paymentEvents]: "The payment service's steps: a payment taken, declined, or given back.",
  [Topics.inventoryEvents]: "The inventory service's steps: stock reserved, not available, or released.",
  [Topics.shippingEvents]: "The shipping service's steps: a shipment scheduled, refused, or cancelled.",
  [Topics.orders]:
    'The newest snapshot of every order, compacted (a tombstone when an order is erased): the log every ' +
    'service rebuilds its view of the orders from, by reading it from offset 0.',
  [Topics.products]:
    'The newest snapshot of every product inventory sells (a tombstone when it stops selling one), compacted: ' +
    'the order service keeps its view of it, by reading it from offset 0, and prices every order line from it.',
};

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });
const eventTypes = Object.keys(eventCatalogue) as SagaEventType[];

const headers = (properties: Record<string, { description: string }>, required: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(
    Object.entries(properties).map(([name, { description }]) => [name, { type: 'string', description }]),
  ),
  required,
});

const eventHeaders = headers(
  {
    'record-type': { description: 'The event type, readable without parsing the value' },
    'event-id': { description: 'The envelope id: the inbox deduplicates on it' },
    'correlation-id': { description: 'Shared by every event of one saga run' },
    'causation-id': { description: 'The event that caused this one (absent when a request did)' },
    traceparent: { description: 'W3C trace context of the span that published it (when tracing is on)' },
  },
  ['record-type', 'event-id', 'correlation-id'],
);

const eventMessage = (type: SagaEventType) => {
  const { version, data } = eventCatalogue[type];
  const compensation = isCompensation(type);
  return {
    name: type,
    title: type,
    summary: `${type}, version ${version}${compensation ? ': a compensation, never given up on by its consumers' : ''}`,
    contentType: 'application/json',
    headers: eventHeaders,
    payload: schemaOf(envelopeSchema.extend({ type: z.literal(type), version: z.literal(version), data })),
    bindings: { kafka: { key: { type: 'string', format: 'uuid', description: 'The order id' } } },
  };
};

const snapshotMessages = {
  [ORDER_SNAPSHOT]: {
    name: ORDER_SNAPSHOT,
    title: 'Order snapshot',
    summary: 'The whole order as it is now; a view ignores a snapshot older than the version it holds',
    contentType: 'application/json',
    headers: headers(
      {
        'record-type': { description: ORDER_SNAPSHOT },
        'snapshot-version': { description: 'The order version it holds' },
        traceparent: { description: 'W3C trace context of the span that published it (when tracing is on)' },
      },
      ['record-type'],
    ),
    payload: schemaOf(orderSnapshotSchema),
    bindings: { kafka: { key: { type: 'string', format: 'uuid', description: 'The order id' } } },
  },
  OrderTombstone: {
    name: 'OrderTombstone',
    title: 'Order tombstone',
    summary: 'A null value: the order was erased; compaction drops the key once every view has seen it',
    headers: headers({ 'record-type': { description: ORDER_SNAPSHOT } }, ['record-type']),
    payload: { type: 'null' },
    bindings: { kafka: { key: { type: 'string', format: 'uuid', description: 'The order id' } } },
  },
};

const productMessages = {
  [PRODUCT_SNAPSHOT]: {
    name: PRODUCT_SNAPSHOT,
    title: 'Product snapshot',
    summary: 'A product as inventory sells it now: its name and its price, which the order service charges',
    contentType: 'application/json',
    headers: headers(
      {
        'record-type': { description: PRODUCT_SNAPSHOT },
        traceparent: { description: 'W3C trace context of the span that published it (when tracing is on)' },
      },
      ['record-type'],
    ),
    payload: schemaOf(productSnapshotSchema),
    bindings: { kafka: { key: { type: 'string', description: 'The SKU' } } },
  },
};

/** The records of each state topic. */
const stateMessages: Partial<Record<TopicName, Record<string, object>>> = {
  [Topics.orders]: snapshotMessages,
  [Topics.products]: productMessages,
};

const deadLetterMessage = {
  name: 'DeadLetter',
  title: 'Dead letter',
  summary: 'A record a consumer could never process, as it was (key and value), with why and where it came from',
  headers: headers(
    {
      [DeadLetterHeader.reason]: { description: 'Why the consumer set it aside' },
      [DeadLetterHeader.sourceTopic]: { description: 'The topic it was read from' },
      [DeadLetterHeader.sourcePartition]: { description: 'Its partition there' },
      [DeadLetterHeader.sourceOffset]: { description: 'Its offset there' },
      [DeadLetterHeader.consumer]: { description: 'The consumer group that gave up on it' },
      [DeadLetterHeader.failedAt]: { description: 'When, ISO-8601' },
    },
    Object.values(DeadLetterHeader),
  ),
  payload: {},
};

const messagesOn = (topic: TopicName): string[] =>
  Object.keys(stateMessages[topic] ?? {}).concat(eventTypes.filter((type) => topicOf(type) === topic));

const channelOf = (topic: TopicName) => ({
  address: topic,
  description: topicDescriptions[topic],
  messages: Object.fromEntries(messagesOn(topic).map((name) => [name, ref('messages', name)])),
  bindings: {
    kafka: {
      partitions: DEFAULT_PARTITIONS,
      topicConfiguration: { 'cleanup.policy': [STATE_TOPICS.includes(topic) ? 'compact' : 'delete'] },
    },
  },
});

const deadLetterChannelOf = (topic: TopicName) => ({
  address: topic + DEAD_LETTER_SUFFIX,
  description: `Records of ${topic} that a consumer set aside, kept until someone deals with them`,
  messages: { DeadLetter: ref('messages', 'DeadLetter') },
  bindings: {
    kafka: { partitions: DEFAULT_PARTITIONS, topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': -1 } },
  },
});

const channelRef = (channel: string, messages: string[]) => ({
  channel: { $ref: `#/channels/${channel}` },
  messages: messages.map((name) => ({ $ref: `#/channels/${channel}/messages/${name}` })),
});

function operations() {
  const entries: [string, object][] = [];
  for (const { name, writes, handles, views } of participants) {
    for (const topic of writes) {
      entries.push([
        `${name}.sends.${topic}`,
        { action: 'send', title: `${name} sends`, ...channelRef(topic, messagesOn(topic)) },
      ]);
    }
    const topics = [...new Set(handles.map(topicOf))];
    for (const topic of topics) {
      const types = handles.filter((type) => topicOf(type) === topic);
      entries.push([
        `${name}.receives.${topic}`,
        { action: 'receive', title: `${name} handles`, ...channelRef(topic, types) },
      ]);
    }
    for (const topic of views) {
      entries.push([
        `${name}.receives.${topic}`,
        { action: 'receive', title: `${name} keeps its view of the ${topic}`, ...channelRef(topic, messagesOn(topic)) },
      ]);
    }
  }
  return Object.fromEntries(entries);
}

export function asyncApiDocument() {
  const topics = Object.values(Topics);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Order saga: topics and events',
      version: '1',
      description:
        "Every topic of the saga and every record on it. Keys are order ids, so that one order's records stay in " +
        'order on one partition. Events travel in one envelope; a consumer reads committed records only. ' +
        "Generated from the event catalogue (libs/events) and the services' handlers: do not edit by hand.",
    },
    defaultContentType: 'application/json',
    channels: Object.fromEntries([
      ...topics.map((topic) => [topic, channelOf(topic)]),
      ...topics.map((topic) => [topic + DEAD_LETTER_SUFFIX, deadLetterChannelOf(topic)]),
    ]),
    operations: operations(),
    components: {
      messages: {
        ...Object.fromEntries(eventTypes.map((type) => [type, eventMessage(type)])),
        ...snapshotMessages,
        ...productMessages,
        DeadLetter: deadLetterMessage,
      },
    },
  };
}
