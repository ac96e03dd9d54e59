import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The orders, and the idempotency keys of the requests that placed them. Plain SQL, importing no live code. */
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
        updated_at       timestamptz NOT NULL,
        correlation_id   uuid        NOT NULL,          -- of the saga run the order started; a cancellation continues it
        version          integer     NOT NULL           -- 1 when placed, +1 per change; published with each snapshot
      )`);
    await runner.query(`CREATE INDEX orders_placed_at ON orders (placed_at DESC)`);
    // POST /orders with an Idempotency-Key: stored in the transaction that creates the order, so a retried request
    // finds the key and creates nothing.
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
    await runner.query(`DROP TABLE orders`);
  }
}
