import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A service's local copy of the orders it works on, filled only from the compacted `orders` topic. It can be
 * emptied at any time: the service reads the topic from offset 0 and gets the same rows back.
 */
export class OrderView1730000000010 implements MigrationInterface {
  name = 'OrderView1730000000010';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE order_view (
        order_id    uuid        PRIMARY KEY,
        version     integer     NOT NULL,             -- the snapshot's: an older snapshot never replaces a newer
        status      text        NOT NULL,
        customer_id uuid        NOT NULL,
        snapshot    jsonb       NOT NULL,             -- the whole snapshot, as published
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE order_view`);
  }
}
