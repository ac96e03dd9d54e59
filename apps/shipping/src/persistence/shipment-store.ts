import { Inject, Injectable } from '@nestjs/common';
import type { DeciderStore } from '@saga/inbox';
import { OrderViews } from '@saga/order-view';
import { Clock } from '@saga/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { SHIPPING_CONFIG, type ShippingConfig } from '../config.js';
import type { Shipment, ShippingContext, ShippingInput } from '../domain/shipping.js';
import { ShipmentEntity } from './shipment.entity.js';

/** Where shipping keeps what it knows per order, and what its decisions need from outside the order. */
@Injectable()
export class ShipmentStore implements DeciderStore<Shipment, ShippingInput, ShippingContext> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderViews,
    private readonly clock: Clock,
    @Inject(SHIPPING_CONFIG) private readonly config: ShippingConfig,
  ) {}

  find(orderId: string): Promise<Shipment | null> {
    return this.dataSource.getRepository(ShipmentEntity).findOneBy({ orderId });
  }

  /**
   * The order's shipment, locked for the rest of `transaction`; `initial` is stored first when there is none.
   * Creating the row before locking it matters: two facts of a new order arrive on two topics, possibly at the
   * same moment, and a lock on a row that does not exist yet would let both decide from nothing. The destination
   * is read from the order view only when a shipment may be scheduled.
   */
  async load(transaction: EntityManager, input: ShippingInput, initial: Shipment) {
    await transaction.createQueryBuilder().insert().into(ShipmentEntity).values(initial).orIgnore().execute();
    const state = await transaction.findOneOrFail(ShipmentEntity, {
      where: { orderId: initial.orderId },
      lock: { mode: 'pessimistic_write' },
    });
    const schedules = input.type === 'StockReserved' && state.status === 'PENDING' && !state.cancelled;
    const country =
      schedules && state.country === null
        ? (await this.orders.require(transaction, input)).shippingAddress.country
        : null;
    const context: ShippingContext = {
      now: this.clock.now(),
      country,
      supportedCountries: this.config.SHIPPING_SUPPORTED_COUNTRIES,
      newShipmentId: randomUUID,
    };
    return { state, context };
  }

  async save(transaction: EntityManager, shipment: Shipment): Promise<void> {
    await transaction.save(ShipmentEntity, shipment);
  }
}
