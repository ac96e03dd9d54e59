import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `POST /orders` with an `Idempotency-Key` header: the key, a fingerprint of the request and the response are
 * stored in the transaction that creates the order, so a retried request finds them and creates nothing.
 */
export class IdempotencyKeys1730000000103 implements MigrationInterface {
  name = 'IdempotencyKeys1730000000103';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE idempotency_keys (
        key         text        PRIMARY KEY,
        fingerprint text        NOT NULL,                 -- SHA-256 of the validated request
        response    jsonb       NOT NULL,                 -- the body answered the first time
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE idempotency_keys`);
  }
}
