import { Injectable } from '@nestjs/common';
import { Outbox } from '@saga/outbox';
import { DataSource, type EntityManager } from 'typeorm';
import type { Shipment, ShippingDecision } from '../domain/shipping.js';
import { ShipmentEntity } from './shipment.entity.js';

@Injectable()
export class ShipmentStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  find(orderId: string): Promise<Shipment | null> {
    return this.dataSource.getRepository(ShipmentEntity).findOneBy({ orderId });
  }

  /**
   * The order's shipment, locked for the rest of `transaction`; `fresh` is stored first when there is none.
   * Creating the row before locking it matters: two facts of a new order arrive on two topics, possibly at the
   * same moment, and a lock on a row that does not exist yet would let both decide from nothing.
   */
  async lock(transaction: EntityManager, fresh: Shipment): Promise<Shipment> {
    await transaction.createQueryBuilder().insert().into(ShipmentEntity).values(fresh).orIgnore().execute();
    return transaction.findOneOrFail(ShipmentEntity, {
      where: { orderId: fresh.orderId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async save(transaction: EntityManager, decision: ShippingDecision): Promise<void> {
    await transaction.save(ShipmentEntity, decision.shipment);
    await this.outbox.enqueue(transaction, ...decision.events);
  }
}
