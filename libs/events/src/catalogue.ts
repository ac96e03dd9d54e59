/**
 * The catalogue of integration events: for each type, its topic, its current schema version and the schema of
 * its data. Adding an event to the `SagaEvent` union without a catalogue entry is a compile error.
 */
import type { z } from 'zod';
import {
  stockReleasedData,
  stockReservationFailedData,
  stockReservedData,
  type InventoryEvent,
} from './inventory-events.js';
import { orderCancelledData, orderCompletedData, orderPlacedData, type OrderEvent } from './order-events.js';
import {
  paymentAuthorizedData,
  paymentDeclinedData,
  paymentRefundedData,
  type PaymentEvent,
} from './payment-events.js';
import {
  shipmentCancelledData,
  shipmentFailedData,
  shipmentScheduledData,
  type ShippingEvent,
} from './shipping-events.js';
import { Topics, type TopicName } from './topics.js';

export type SagaEvent = OrderEvent | PaymentEvent | InventoryEvent | ShippingEvent;
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
  /**
   * Undoes a step of the saga, or reports that it was undone. A consumer never gives up on one: dropped, it
   * would leave a charge without a refund or stock held for a cancelled order.
   */
  readonly compensation?: true;
};

export const eventCatalogue: { readonly [T in SagaEventType]: EventDefinition<EventOfType<T>['data']> } = {
  OrderPlaced: { topic: Topics.orderEvents, version: 1, data: orderPlacedData },
  PaymentAuthorized: { topic: Topics.paymentEvents, version: 1, data: paymentAuthorizedData },
  OrderCompleted: { topic: Topics.orderEvents, version: 1, data: orderCompletedData },
  OrderCancelled: { topic: Topics.orderEvents, version: 1, data: orderCancelledData, compensation: true },
  PaymentDeclined: { topic: Topics.paymentEvents, version: 1, data: paymentDeclinedData },
  PaymentRefunded: { topic: Topics.paymentEvents, version: 1, data: paymentRefundedData, compensation: true },
  StockReserved: { topic: Topics.inventoryEvents, version: 1, data: stockReservedData },
  StockReservationFailed: { topic: Topics.inventoryEvents, version: 1, data: stockReservationFailedData },
  StockReleased: { topic: Topics.inventoryEvents, version: 1, data: stockReleasedData, compensation: true },
  ShipmentScheduled: { topic: Topics.shippingEvents, version: 1, data: shipmentScheduledData },
  ShipmentFailed: { topic: Topics.shippingEvents, version: 1, data: shipmentFailedData },
  ShipmentCancelled: { topic: Topics.shippingEvents, version: 1, data: shipmentCancelledData, compensation: true },
};

export const isSagaEventType = (type: string): type is SagaEventType => Object.hasOwn(eventCatalogue, type);

export const topicOf = (type: SagaEventType): TopicName => eventCatalogue[type].topic;

export const isCompensation = (type: SagaEventType): boolean => eventCatalogue[type].compensation === true;

/** The topics that carry at least one of the given event types. */
export const topicsCarrying = (types: Iterable<string>): TopicName[] => [
  ...new Set([...types].filter(isSagaEventType).map(topicOf)),
];
