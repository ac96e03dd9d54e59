import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1730000000100 implements MigrationInterface {
  name = 'CreateOrders1730000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE orders (
        id               uuid        PRIMARY KEY,
        customer_id      uuid        NOT NULL,
        items            jsonb       NOT NULL,
        total_cents      bigint      NOT NULL CHECK (total_cents >= 0),
        shipping_address jsonb       NOT NULL,
        status           text        NOT NULL,
        reason           text,
        history          jsonb       NOT NULL,
        placed_at        timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX orders_placed_at ON orders (placed_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE orders`);
  }
}
