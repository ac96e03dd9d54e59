/** Every event the shipping service reacts to: each goes to its decider (domain/shipping.ts). */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DeciderRunner, InboxContext, OnEvent } from '@saga/inbox';
import { shipping, type ShippingInput } from '../domain/shipping.js';
import { ShipmentStore } from '../persistence/shipment-store.js';

@Controller()
export class ShippingConsumer {
  constructor(
    private readonly runner: DeciderRunner,
    private readonly store: ShipmentStore,
  ) {}

  /** StockReserved: schedule the shipment (or fail it); OrderCancelled: call off a scheduled one. */
  @OnEvent('StockReserved', 'OrderCancelled')
  async on(@Payload() event: ShippingInput, @Ctx() { transaction }: InboxContext): Promise<void> {
    await this.runner.run(transaction, { decider: shipping, store: this.store }, event);
  }
}
