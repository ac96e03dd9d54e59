import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The order service's view of the products inventory sells (the compacted `products` topic): what it charges. */
export class ProductView1730000003100 implements MigrationInterface {
  name = 'ProductView1730000003100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE product_view (
        sku         text        PRIMARY KEY,
        name        text        NOT NULL,
        price_cents integer     NOT NULL CHECK (price_cents > 0),
        version     integer     NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE product_view`);
  }
}
