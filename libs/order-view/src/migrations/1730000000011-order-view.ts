import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A service's local copy of the orders it works on, filled only from the compacted `orders` topic, and how far it
 * has read that topic. The copy can be emptied at any time: the service reads the topic from offset 0 and gets
 * the same rows back. That is why this migration may drop a copy left by an earlier version of these tables: the
 * service finds the view empty at start and rebuilds it.
 */
export class OrderView1730000000011 implements MigrationInterface {
  name = 'OrderView1730000000011';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS order_view_position`);
    await runner.query(`DROP TABLE IF EXISTS order_view`);
    await runner.query(`
      CREATE TABLE order_view (
        order_id    uuid        PRIMARY KEY,
        version     integer     NOT NULL,              -- the snapshot's: an older snapshot never replaces a newer
        erased      boolean     NOT NULL DEFAULT false, -- a tombstone was read: the order is gone for good
        status      text,
        customer_id uuid,
        snapshot    jsonb,                             -- the whole snapshot, as published; null once erased
        applied_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT order_view_snapshot_unless_erased CHECK (erased = (snapshot IS NULL))
      )`);
    await runner.query(`
      CREATE TABLE order_view_position (
        partition   integer PRIMARY KEY,
        next_offset bigint  NOT NULL                   -- the first offset of the partition not applied yet
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE order_view_position`);
    await runner.query(`DROP TABLE order_view`);
  }
}
