/** Every event the inventory service reacts to, and what it does with it. */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderViews } from '@saga/order-view';
import { InboxContext, OnEvent } from '@saga/inbox';
import { Clock } from '@saga/platform';
import { decide, learn, needsItems, noFacts, withItems, type InventoryFact } from '../domain/inventory.js';
import { InventoryStore } from '../persistence/inventory-store.js';

@Controller()
export class InventoryConsumer {
  constructor(
    private readonly store: InventoryStore,
    private readonly orders: OrderViews,
    private readonly clock: Clock,
  ) {}

  /**
   * PaymentAuthorized: reserve the order's items (from the order view), all or nothing: StockReserved or
   * StockReservationFailed. OrderCancelled: release a reservation (StockReleased). OrderCompleted: sell it.
   */
  @OnEvent('PaymentAuthorized', 'OrderCancelled', 'OrderCompleted')
  async onOrderFact(@Payload() event: InventoryFact, @Ctx() { transaction }: InboxContext): Promise<void> {
    const now = this.clock.now();
    const known = await this.store.lockFacts(transaction, noFacts(event.orderId, now));
    let facts = learn(known, event, now);
    if (needsItems(facts)) facts = withItems(facts, (await this.orders.require(transaction, event)).items);
    const stock = facts.lines
      ? await this.store.lockStock(
          transaction,
          facts.lines.map((line) => line.sku),
        )
      : new Map();
    await this.store.save(transaction, decide(facts, stock, event, now));
  }
}
