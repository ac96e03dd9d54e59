import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deadline sweep looks at running orders only, every second: a partial index holds just those, so the sweep
 * does not read every order ever finished. Idempotency keys expire: their deletion finds them by age.
 */
export class BoundedTables1730000001100 implements MigrationInterface {
  name = 'BoundedTables1730000001100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX orders_running_placed_at ON orders (placed_at) WHERE status NOT IN ('COMPLETED', 'CANCELLED')`,
    );
    await runner.query(`CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX idempotency_keys_created_at`);
    await runner.query(`DROP INDEX orders_running_placed_at`);
  }
}
