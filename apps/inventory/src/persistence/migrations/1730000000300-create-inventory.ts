import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInventory1730000000300 implements MigrationInterface {
  name = 'CreateInventory1730000000300';

  async up(runner: QueryRunner): Promise<void> {
    // The CHECKs are the last line of defence: a bug can fail a transaction, never oversell.
    await runner.query(`
      CREATE TABLE stock_items (
        sku       text    PRIMARY KEY,
        available integer NOT NULL CHECK (available >= 0),
        reserved  integer NOT NULL CHECK (reserved >= 0),
        sold      integer NOT NULL CHECK (sold >= 0)
      )`);
    await runner.query(`
      CREATE TABLE order_facts (
        order_id           uuid        PRIMARY KEY,
        lines              jsonb,
        payment_authorized boolean     NOT NULL,
        cancelled          boolean     NOT NULL,
        completed          boolean     NOT NULL,
        reservation        text        NOT NULL,
        updated_at         timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE order_facts`);
    await runner.query(`DROP TABLE stock_items`);
  }
}
