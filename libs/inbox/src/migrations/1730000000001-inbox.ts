import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox table, in the service's own database: one row per event a consumer applied. Plain SQL.
 * `IF NOT EXISTS`: a database made when the outbox and the inbox shared one migration has it.
 */
export class Inbox1730000000001 implements MigrationInterface {
  name = 'Inbox1730000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS inbox (
        consumer     text        NOT NULL,
        event_id     uuid        NOT NULL,
        event_type   text        NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE inbox`);
  }
}
