/**
 * The catalogue of integration events: for each type, its topic, its current schema version and the schema of
 * its data. Adding an event to the `SagaEvent` union without a catalogue entry is a compile error.
 */
import type { z } from 'zod';
import { orderPlacedData, type OrderEvent } from './order-events.js';
import { paymentAuthorizedData, paymentDeclinedData, type PaymentEvent } from './payment-events.js';
import { Topics, type TopicName } from './topics.js';

export type SagaEvent = OrderEvent | PaymentEvent;
export type SagaEventType = SagaEvent['type'];
export type EventOfType<T extends SagaEventType> = Extract<SagaEvent, { type: T }>;

/** Turns the data of version `n` into the data of version `n + 1`. */
export type Upcaster = (data: unknown) => unknown;

export type EventDefinition<Data> = {
  readonly topic: TopicName;
  /** The version producers write today. */
  readonly version: number;
  readonly data: z.ZodType<Data>;
  /** Keyed by the version they upgrade from. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
};

export const eventCatalogue: { readonly [T in SagaEventType]: EventDefinition<EventOfType<T>['data']> } = {
  OrderPlaced: { topic: Topics.orderEvents, version: 1, data: orderPlacedData },
  PaymentAuthorized: { topic: Topics.paymentEvents, version: 1, data: paymentAuthorizedData },
  PaymentDeclined: { topic: Topics.paymentEvents, version: 1, data: paymentDeclinedData },
};

export const isSagaEventType = (type: string): type is SagaEventType => Object.hasOwn(eventCatalogue, type);

export const topicOf = (type: SagaEventType): TopicName => eventCatalogue[type].topic;

/** The topics that carry at least one of the given event types. */
export const topicsCarrying = (types: Iterable<string>): TopicName[] => [
  ...new Set([...types].filter(isSagaEventType).map(topicOf)),
];
