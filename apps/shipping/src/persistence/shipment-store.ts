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

  lock(transaction: EntityManager, orderId: string): Promise<Shipment | null> {
    return transaction.findOne(ShipmentEntity, { where: { orderId }, lock: { mode: 'pessimistic_write' } });
  }

  async save(transaction: EntityManager, decision: ShippingDecision): Promise<void> {
    await transaction.save(ShipmentEntity, decision.shipment);
    await this.outbox.enqueue(transaction, ...decision.events);
  }
}
