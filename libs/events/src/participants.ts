/**
 * Who owns which topic, and who listens to what: the saga's division of responsibilities in one table. Each
 * service writes only the topics it owns, and reads the topics that carry the events it reacts to, and the state
 * topics it keeps a view of (`orders`, `products`). The brokers hold every service to it: @saga/kafka's access.ts turns this
 * table into each service's ACLs, and the AsyncAPI document is drawn from it. A test keeps `reactsTo` equal to
 * the `@OnEvent` handlers of each service's consumer.
 */
import type { SagaEventType } from './catalogue.js';
import { Topics, type TopicName } from './topics.js';

export type Participant = {
  /** The topics this service alone writes: its events, and the state topic of what it owns. */
  readonly writes: readonly TopicName[];
  /** The events this service's consumer handles. */
  readonly reactsTo: readonly SagaEventType[];
  /**
   * The compacted topics it keeps a local view of, read from offset 0: `orders` (see @saga/order-view), and for
   * the order service `products`, the prices it charges.
   */
  readonly views: readonly TopicName[];
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
    views: [Topics.products],
  },
  payment: {
    writes: [Topics.paymentEvents],
    reactsTo: ['OrderPlaced', 'OrderCancelled'],
    views: [Topics.orders],
  },
  inventory: {
    writes: [Topics.inventoryEvents, Topics.products],
    reactsTo: ['PaymentAuthorized', 'OrderCancelled', 'OrderCompleted'],
    views: [Topics.orders],
  },
  shipping: {
    writes: [Topics.shippingEvents],
    reactsTo: ['StockReserved', 'OrderCancelled'],
    views: [Topics.orders],
  },
};
