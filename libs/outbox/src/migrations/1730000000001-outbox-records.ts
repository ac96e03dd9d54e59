import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox carries any Kafka record, not only events: headers travel with the row, and a row without payload
 * publishes a tombstone (how a compacted topic learns that a key is gone).
 */
export class OutboxRecords1730000000001 implements MigrationInterface {
  name = 'OutboxRecords1730000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL`);
    await runner.query(`ALTER TABLE outbox ADD COLUMN headers jsonb NOT NULL DEFAULT '{}'`);
    // Rows written before this migration are events; give them the headers events are published with.
    await runner.query(`
      UPDATE outbox SET headers = jsonb_strip_nulls(jsonb_build_object(
        'event-id', payload->>'id',
        'correlation-id', payload->>'correlationId',
        'causation-id', payload->>'causationId'))
      WHERE published_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM outbox WHERE payload IS NULL`);
    await runner.query(`ALTER TABLE outbox DROP COLUMN headers`);
    await runner.query(`ALTER TABLE outbox ALTER COLUMN payload SET NOT NULL`);
  }
}
