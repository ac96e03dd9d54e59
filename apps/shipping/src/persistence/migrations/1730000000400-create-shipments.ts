import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateShipments1730000000400 implements MigrationInterface {
  name = 'CreateShipments1730000000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE shipments (
        order_id       uuid        PRIMARY KEY,
        country        text,
        stock_reserved boolean     NOT NULL,
        cancelled      boolean     NOT NULL,
        status         text        NOT NULL,
        shipment_id    uuid        UNIQUE,
        updated_at     timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE shipments`);
  }
}
