import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two things a handler needs to tell a late snapshot from one that will never come: how far the view has read
 * each partition of `orders` (kept in the transaction that applies the records), and a marker for an erased
 * order in place of its row, so that an event about it is recognised at once.
 */
export class OrderViewPosition1730000000011 implements MigrationInterface {
  name = 'OrderViewPosition1730000000011';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE order_view
        ADD COLUMN erased boolean NOT NULL DEFAULT false,   -- a tombstone was read: the order is gone for good
        ALTER COLUMN status DROP NOT NULL,
        ALTER COLUMN customer_id DROP NOT NULL,
        ALTER COLUMN snapshot DROP NOT NULL,
        ADD CONSTRAINT order_view_snapshot_unless_erased CHECK (erased = (snapshot IS NULL))`);
    await runner.query(`
      CREATE TABLE order_view_position (
        partition   integer PRIMARY KEY,
        next_offset bigint  NOT NULL                        -- the first offset of the partition not applied yet
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE order_view_position`);
    await runner.query(`DELETE FROM order_view WHERE erased`);
    await runner.query(`
      ALTER TABLE order_view
        DROP CONSTRAINT order_view_snapshot_unless_erased,
        DROP COLUMN erased,
        ALTER COLUMN status SET NOT NULL,
        ALTER COLUMN customer_id SET NOT NULL,
        ALTER COLUMN snapshot SET NOT NULL`);
  }
}
