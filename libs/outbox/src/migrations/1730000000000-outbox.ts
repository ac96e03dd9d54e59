import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox table, in the service's own database. Plain SQL: what a migration did must never change because the
 * code around it did. `IF NOT EXISTS`: a database made when the outbox and the inbox shared one migration has it.
 */
export class Outbox1730000000000 implements MigrationInterface {
  name = 'Outbox1730000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS outbox (
        id           bigserial   PRIMARY KEY,            -- per key, the order of commits (see Outbox.enqueue)
        event_id     uuid        NOT NULL UNIQUE,        -- the record's id (an event's id)
        topic        text        NOT NULL,
        message_key  text        NOT NULL,
        event_type   text        NOT NULL,               -- published as the record-type header
        payload      jsonb,                              -- null publishes a tombstone
        headers      jsonb       NOT NULL DEFAULT '{}',
        lane         smallint    NOT NULL,               -- hash(key) mod lanes: one relay at a time per lane
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await runner.query(`CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (lane, id) WHERE published_at IS NULL`);
    await runner.query(
      `CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE outbox`);
  }
}
