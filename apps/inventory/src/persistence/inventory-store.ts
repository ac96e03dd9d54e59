import { Injectable } from '@nestjs/common';
import { Outbox } from '@saga/outbox';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { InventoryDecision, OrderFacts, StockItem } from '../domain/inventory.js';
import { OrderFactsEntity, StockItemEntity } from './inventory.entities.js';

@Injectable()
export class InventoryStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  findStock(sku: string): Promise<StockItem | null> {
    return this.dataSource.getRepository(StockItemEntity).findOneBy({ sku });
  }

  /** Sets what is available to sell; what is reserved or sold is not touched. */
  async setAvailable(sku: string, available: number): Promise<StockItem> {
    await this.dataSource.query(
      `INSERT INTO stock_items (sku, available, reserved, sold) VALUES ($1, $2, 0, 0)
       ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available`,
      [sku, available],
    );
    return (await this.findStock(sku))!;
  }

  /**
   * What is known about the order, locked for the rest of `transaction`; `fresh` is stored first when nothing is.
   * Creating the row before locking it matters: two facts of a new order arrive on two topics, possibly at the
   * same moment, and a lock on a row that does not exist yet would let both decide from nothing.
   */
  async lockFacts(transaction: EntityManager, fresh: OrderFacts): Promise<OrderFacts> {
    await transaction.createQueryBuilder().insert().into(OrderFactsEntity).values(fresh).orIgnore().execute();
    return transaction.findOneOrFail(OrderFactsEntity, {
      where: { orderId: fresh.orderId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** The stock of these SKUs, locked for `transaction` in SKU order (so two orders cannot deadlock). */
  async lockStock(transaction: EntityManager, skus: string[]): Promise<Map<string, StockItem>> {
    const items = await transaction.find(StockItemEntity, {
      where: { sku: In([...skus].sort()) },
      order: { sku: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    return new Map(items.map((item) => [item.sku, item]));
  }

  async save(transaction: EntityManager, decision: InventoryDecision): Promise<void> {
    await transaction.save(OrderFactsEntity, decision.facts);
    if (decision.stock.length > 0) await transaction.save(StockItemEntity, decision.stock);
    await this.outbox.enqueue(transaction, ...decision.events);
  }
}
