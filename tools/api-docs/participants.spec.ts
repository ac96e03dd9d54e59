/**
 * The table of who reacts to what (@saga/events participants.ts) grants each service its rights on the brokers:
 * a handler the table does not list would subscribe to a topic the service may not read, and be refused at start.
 * This test keeps the table and the services' `@OnEvent` handlers the same.
 */
import { expect, it } from '@jest/globals';
import { sagaParticipants, type ServiceName } from '@saga/events';
import { eventsHandledBy } from '@saga/inbox';
import { InventoryConsumer } from '../../apps/inventory/src/messaging/inventory.consumer.js';
import { OrderConsumer } from '../../apps/order/src/messaging/order.consumer.js';
import { PaymentConsumer } from '../../apps/payment/src/messaging/payment.consumer.js';
import { ShippingConsumer } from '../../apps/shipping/src/messaging/shipping.consumer.js';

const consumers = {
  order: OrderConsumer,
  payment: PaymentConsumer,
  inventory: InventoryConsumer,
  shipping: ShippingConsumer,
} satisfies Record<ServiceName, unknown>;

it.each(Object.entries(consumers))('the participants table lists what the %s service handles', (name, consumer) => {
  const listed = [...sagaParticipants[name as ServiceName].reactsTo].sort();
  expect(eventsHandledBy(consumer).sort()).toEqual(listed);
});
