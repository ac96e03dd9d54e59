import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The products inventory sells, with their prices: inventory owns them, and publishes each change on `products`.
 * A withdrawn product keeps its row, so that its versions keep counting if it is sold again.
 */
export class CreateProducts1730000002300 implements MigrationInterface {
  name = 'CreateProducts1730000002300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE products (
        sku         text        PRIMARY KEY,
        name        text        NOT NULL,
        price_cents integer     NOT NULL CHECK (price_cents > 0),
        version     integer     NOT NULL CHECK (version > 0),
        updated_at  timestamptz NOT NULL,
        withdrawn   boolean     NOT NULL DEFAULT false
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE products`);
  }
}
