import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Orders remember the correlation id of their saga run, so a cancellation continues that run. */
export class OrderCorrelation1730000000101 implements MigrationInterface {
  name = 'OrderCorrelation1730000000101';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE orders ADD COLUMN correlation_id uuid`);
    await runner.query(`UPDATE orders SET correlation_id = id`); // orders placed before this column existed
    await runner.query(`ALTER TABLE orders ALTER COLUMN correlation_id SET NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE orders DROP COLUMN correlation_id`);
  }
}
