import { Injectable } from '@nestjs/common';
import { Outbox } from '@saga/outbox';
import { DataSource, type EntityManager } from 'typeorm';
import type { Decision, Order } from '../domain/order.js';
import { OrderEntity } from './order.entity.js';

/** Saves an order and the events of the same decision in one transaction: the outbox's half of the bargain. */
@Injectable()
export class OrderStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async create(decision: Decision): Promise<void> {
    await this.dataSource.transaction(async (transaction) => {
      await transaction.insert(OrderEntity, decision.order);
      await this.outbox.enqueue(transaction, ...decision.events);
    });
  }

  find(id: string): Promise<Order | null> {
    return this.dataSource.getRepository(OrderEntity).findOneBy({ id });
  }

  /** Newest first. */
  async list(limit: number, offset: number): Promise<{ orders: Order[]; total: number }> {
    const [orders, total] = await this.dataSource
      .getRepository(OrderEntity)
      .findAndCount({ order: { placedAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
    return { orders, total };
  }

  /** Ids of running orders placed before `placedBefore`, locked for `transaction`; rows others hold are skipped. */
  async lockOverdue(transaction: EntityManager, placedBefore: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await transaction.query(
      `SELECT id FROM orders WHERE status NOT IN ('COMPLETED', 'CANCELLED') AND placed_at < $1
       ORDER BY placed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [placedBefore, limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Inside `transaction`: loads the order, locked against concurrent changes, lets `decide` produce the next
   * state, and saves it with its events. Returns null when there is no such order.
   */
  async update(transaction: EntityManager, id: string, decide: (order: Order) => Decision): Promise<Decision | null> {
    const order = await transaction.findOne(OrderEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!order) return null;
    const decision = decide(order);
    if (decision.changed) {
      await transaction.save(OrderEntity, decision.order);
      await this.outbox.enqueue(transaction, ...decision.events);
    }
    return decision;
  }
}
