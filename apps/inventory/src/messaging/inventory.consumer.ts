/** Every event the inventory service reacts to, and what it does with it. */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { InboxContext, OnEvent } from '@saga/outbox';
import { Clock } from '@saga/platform';
import { decide, learn, noFacts, type InventoryFact } from '../domain/inventory.js';
import { InventoryStore } from '../persistence/inventory-store.js';

@Controller()
export class InventoryConsumer {
  constructor(
    private readonly store: InventoryStore,
    private readonly clock: Clock,
  ) {}

  /**
   * OrderPlaced: learn the items. PaymentAuthorized: reserve them, all or nothing (StockReserved or
   * StockReservationFailed). OrderCancelled: release a reservation (StockReleased). OrderCompleted: sell it.
   */
  @OnEvent('OrderPlaced', 'PaymentAuthorized', 'OrderCancelled', 'OrderCompleted')
  async onOrderFact(@Payload() event: InventoryFact, @Ctx() { transaction }: InboxContext): Promise<void> {
    const now = this.clock.now();
    const known = (await this.store.lockFacts(transaction, event.orderId)) ?? noFacts(event.orderId, now);
    const facts = learn(known, event, now);
    const stock = facts.lines
      ? await this.store.lockStock(
          transaction,
          facts.lines.map((line) => line.sku),
        )
      : new Map();
    await this.store.save(transaction, decide(facts, stock, event, now));
  }
}
