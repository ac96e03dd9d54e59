import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A customer lists and streams its own orders, newest first: an index finds them without reading the others'. */
export class OrdersByCustomer1730000002100 implements MigrationInterface {
  name = 'OrdersByCustomer1730000002100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX orders_customer_placed_at ON orders (customer_id, placed_at DESC, id DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX orders_customer_placed_at`);
  }
}
