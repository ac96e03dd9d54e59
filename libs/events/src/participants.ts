/**
 * Who owns which topic, and who listens to what: the saga's division of responsibilities in one table. Each
 * service writes only the topics it owns, and reads the topics that carry the events it reacts to (and `orders`,
 * if it keeps a view of the orders). The brokers hold every service to it: @saga/kafka's access.ts turns this
 * table into each service's ACLs, and the AsyncAPI document is drawn from it. A test keeps `reactsTo` equal to
 * the `@OnEvent` handlers of each service's consumer.
 */
import type { SagaEventType } from './catalogue.js';
import { Topics, type TopicName } from './topics.js';

export type Participant = {
  /** The topics this service alone writes (its events; for the order service, the order snapshots too). */
  readonly writes: readonly TopicName[];
  /** The events this service's consumer handles. */
  readonly reactsTo: readonly SagaEventType[];
  /** Keeps a local view of every order, rebuilt from the compacted `orders` topic (see @saga/order-view). */
  readonly keepsOrderView: boolean;
};

export const SERVICES = ['order', 'payment', 'inventory', 'shipping'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const sagaParticipants: { readonly [S in ServiceName]: Participant } = {
  order: {
    writes: [Topics.orderEvents, Topics.orders],
    reactsTo: [
      'PaymentAuthorized',
      'PaymentDeclined',
      'PaymentRefunded',
      'StockReserved',
      'StockReservationFailed',
      'StockReleased',
      'ShipmentScheduled',
      'ShipmentFailed',
      'ShipmentCancelled',
    ],
    keepsOrderView: false,
  },
  payment: {
    writes: [Topics.paymentEvents],
    reactsTo: ['OrderPlaced', 'OrderCancelled'],
    keepsOrderView: true,
  },
  inventory: {
    writes: [Topics.inventoryEvents],
    reactsTo: ['PaymentAuthorized', 'OrderCancelled', 'OrderCompleted'],
    keepsOrderView: true,
  },
  shipping: {
    writes: [Topics.shippingEvents],
    reactsTo: ['StockReserved', 'OrderCancelled'],
    keepsOrderView: true,
  },
};
