/** Every event the shipping service reacts to, and what it does with it. */
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderViews } from '@saga/order-view';
import { InboxContext, OnEvent } from '@saga/inbox';
import { Clock } from '@saga/platform';
import { randomUUID } from 'node:crypto';
import { SHIPPING_CONFIG, type ShippingConfig } from '../config.js';
import { decide, learn, needsDestination, noShipment, withDestination, type ShippingFact } from '../domain/shipping.js';
import { ShipmentStore } from '../persistence/shipment-store.js';

@Controller()
export class ShippingConsumer {
  constructor(
    private readonly store: ShipmentStore,
    private readonly orders: OrderViews,
    private readonly clock: Clock,
    @Inject(SHIPPING_CONFIG) private readonly config: ShippingConfig,
  ) {}

  /**
   * StockReserved: schedule the shipment to the order's address (from the order view), ShipmentScheduled, or fail
   * it, ShipmentFailed. OrderCancelled: call off a scheduled shipment (ShipmentCancelled).
   */
  @OnEvent('StockReserved', 'OrderCancelled')
  async onOrderFact(@Payload() event: ShippingFact, @Ctx() { transaction }: InboxContext): Promise<void> {
    const now = this.clock.now();
    const known = await this.store.lock(transaction, noShipment(event.orderId, now));
    let shipment = learn(known, event, now);
    if (needsDestination(shipment)) {
      const order = await this.orders.require(transaction, event);
      shipment = withDestination(shipment, order.shippingAddress.country);
    }
    const decision = decide(shipment, this.config.SHIPPING_SUPPORTED_COUNTRIES, event, randomUUID, now);
    await this.store.save(transaction, decision);
  }
}
