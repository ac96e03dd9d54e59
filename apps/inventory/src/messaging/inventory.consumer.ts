/** Every event the inventory service reacts to: each goes to its decider (domain/inventory.ts). */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DeciderRunner, InboxContext, OnEvent } from '@saga/inbox';
import { inventory, type InventoryInput } from '../domain/inventory.js';
import { InventoryStore } from '../persistence/inventory-store.js';

@Controller()
export class InventoryConsumer {
  constructor(
    private readonly runner: DeciderRunner,
    private readonly store: InventoryStore,
  ) {}

  /**
   * PaymentAuthorized: reserve the order's items, all or nothing (StockReserved or StockReservationFailed).
   * OrderCancelled: release a reservation (StockReleased). OrderCompleted: turn it into a sale.
   */
  @OnEvent('PaymentAuthorized', 'OrderCancelled', 'OrderCompleted')
  async on(@Payload() event: InventoryInput, @Ctx() { transaction }: InboxContext): Promise<void> {
    await this.runner.run(transaction, { decider: inventory, store: this.store }, event);
  }
}
