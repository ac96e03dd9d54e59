import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payment keeps the facts of each order, like inventory and shipping: a cancellation is remembered even when it
 * comes before anything was charged (then there is a payment row with no customer yet), so a late or second
 * OrderPlaced charges nothing.
 */
export class PaymentFacts1730000001200 implements MigrationInterface {
  name = 'PaymentFacts1730000001200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE payments ADD COLUMN cancelled boolean NOT NULL DEFAULT false`);
    await runner.query(`ALTER TABLE payments ALTER COLUMN customer_id DROP NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM payments WHERE customer_id IS NULL`);
    await runner.query(`ALTER TABLE payments ALTER COLUMN customer_id SET NOT NULL`);
    await runner.query(`ALTER TABLE payments DROP COLUMN cancelled`);
  }
}
