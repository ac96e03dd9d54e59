import { Injectable } from '@nestjs/common';
import type { DeciderStore } from '@saga/inbox';
import { OrderViews } from '@saga/order-view';
import { Clock } from '@saga/platform';
import { DataSource, In, type EntityManager } from 'typeorm';
import {
  linesOf,
  stockMoves,
  type InventoryContext,
  type InventoryInput,
  type OrderFacts,
  type StockItem,
} from '../domain/inventory.js';
import { OrderFactsEntity, StockItemEntity } from './inventory.entities.js';

/** Where inventory keeps what it knows per order and its stock, and what its decisions need from outside the order. */
@Injectable()
export class InventoryStore implements DeciderStore<OrderFacts, InventoryInput, InventoryContext> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderViews,
    private readonly clock: Clock,
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
   * What is known about the order, locked for the rest of `transaction`; `initial` is stored first when nothing is.
   * Creating the row before locking it matters: two facts of a new order arrive on two topics, possibly at the
   * same moment, and a lock on a row that does not exist yet would let both decide from nothing. The items are read
   * from the order view only when a reservation may follow; the stock of the order's SKUs is locked in SKU order
   * (so two orders cannot deadlock).
   */
  async load(transaction: EntityManager, input: InventoryInput, initial: OrderFacts) {
    await transaction.createQueryBuilder().insert().into(OrderFactsEntity).values(initial).orIgnore().execute();
    const facts = await transaction.findOneOrFail(OrderFactsEntity, {
      where: { orderId: initial.orderId },
      lock: { mode: 'pessimistic_write' },
    });
    const reserves = input.type === 'PaymentAuthorized' && facts.reservation === 'NONE' && !facts.cancelled;
    const lines = reserves ? linesOf((await this.orders.require(transaction, input)).items) : facts.lines;
    const stock = lines
      ? await transaction.find(StockItemEntity, {
          where: { sku: In(lines.map((line) => line.sku).sort()) },
          order: { sku: 'ASC' },
          lock: { mode: 'pessimistic_write' },
        })
      : [];
    const context: InventoryContext = {
      now: this.clock.now(),
      lines: reserves ? lines : null,
      available: new Map(stock.map((item) => [item.sku, item.available])),
    };
    return { state: facts, context };
  }

  /** Saves the facts, and moves the stock their change moves (locked by `load`). */
  async save(transaction: EntityManager, facts: OrderFacts, before: OrderFacts): Promise<void> {
    await transaction.save(OrderFactsEntity, facts);
    const moves = stockMoves(before, facts);
    if (moves.length === 0) return;
    await transaction.query(
      `UPDATE stock_items AS s
       SET available = s.available + m.available, reserved = s.reserved + m.reserved, sold = s.sold + m.sold
       FROM unnest($1::text[], $2::int[], $3::int[], $4::int[]) AS m(sku, available, reserved, sold)
       WHERE s.sku = m.sku`,
      [
        moves.map((move) => move.sku),
        moves.map((move) => move.available),
        moves.map((move) => move.reserved),
        moves.map((move) => move.sold),
      ],
    );
  }
}
