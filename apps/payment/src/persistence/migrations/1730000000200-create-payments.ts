import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1730000000200 implements MigrationInterface {
  name = 'CreatePayments1730000000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE credit_accounts (
        customer_id uuid   PRIMARY KEY,
        limit_cents bigint NOT NULL CHECK (limit_cents >= 0),
        used_cents  bigint NOT NULL CHECK (used_cents >= 0)
      )`);
    await runner.query(`
      CREATE TABLE payments (
        order_id       uuid        PRIMARY KEY,
        customer_id    uuid        NOT NULL,
        amount_cents   bigint      NOT NULL CHECK (amount_cents >= 0),
        status         text        NOT NULL,
        decline_reason text,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE payments`);
    await runner.query(`DROP TABLE credit_accounts`);
  }
}
