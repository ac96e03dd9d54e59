/** Every event the shipping service reacts to, and what it does with it. */
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { InboxContext, OnEvent } from '@saga/outbox';
import { Clock } from '@saga/platform';
import { randomUUID } from 'node:crypto';
import { SHIPPING_CONFIG, type ShippingConfig } from '../config.js';
import { decide, learn, noShipment, type ShippingFact } from '../domain/shipping.js';
import { ShipmentStore } from '../persistence/shipment-store.js';

@Controller()
export class ShippingConsumer {
  constructor(
    private readonly store: ShipmentStore,
    private readonly clock: Clock,
    @Inject(SHIPPING_CONFIG) private readonly config: ShippingConfig,
  ) {}

  /**
   * OrderPlaced: learn the destination. StockReserved: schedule the shipment (ShipmentScheduled) or fail it
   * (ShipmentFailed). OrderCancelled: call off a scheduled shipment (ShipmentCancelled).
   */
  @OnEvent('OrderPlaced', 'StockReserved', 'OrderCancelled')
  async onOrderFact(@Payload() event: ShippingFact, @Ctx() { transaction }: InboxContext): Promise<void> {
    const now = this.clock.now();
    const known = (await this.store.lock(transaction, event.orderId)) ?? noShipment(event.orderId, now);
    const decision = decide(learn(known, event, now), this.config.SHIPPING_SUPPORTED_COUNTRIES, event, randomUUID, now);
    await this.store.save(transaction, decision);
  }
}
