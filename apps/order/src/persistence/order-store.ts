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
