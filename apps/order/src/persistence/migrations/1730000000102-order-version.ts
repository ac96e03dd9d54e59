import { Outbox } from '@saga/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { snapshotRecord } from '../../messaging/order-snapshots.js';
import { OrderEntity } from '../order.entity.js';

/**
 * Orders get a version, published with every snapshot on the compacted `orders` topic. Orders placed before
 * that topic existed are backfilled: one snapshot each, through the outbox, in this migration's transaction.
 */
export class OrderVersion1730000000102 implements MigrationInterface {
  name = 'OrderVersion1730000000102';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE orders ADD COLUMN version integer NOT NULL DEFAULT 1`);
    await runner.query(`ALTER TABLE orders ALTER COLUMN version DROP DEFAULT`);
    const orders = await runner.manager.find(OrderEntity);
    await new Outbox().enqueueRecords(runner.manager, orders.map(snapshotRecord));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE orders DROP COLUMN version`);
  }
}
