import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A row the relay can never send (larger than the broker takes) is set aside with the reason, instead of being
 * tried forever; it stays in the table, to be looked at, and is no longer pending. And which relay last drained
 * each lane: one that takes a lane from another starts a new Kafka producer for it, fencing the other's.
 */
export class OutboxRelayLanes1730000001000 implements MigrationInterface {
  name = 'OutboxRelayLanes1730000001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox ADD COLUMN set_aside_at timestamptz, ADD COLUMN set_aside_reason text`);
    await runner.query(`DROP INDEX outbox_pending`);
    await runner.query(
      `CREATE INDEX outbox_pending ON outbox (lane, id) WHERE published_at IS NULL AND set_aside_at IS NULL`,
    );
    await runner.query(`CREATE INDEX outbox_set_aside ON outbox (set_aside_at) WHERE set_aside_at IS NOT NULL`);
    await runner.query(`
      CREATE TABLE outbox_lane_owner (
        lane  smallint PRIMARY KEY,
        relay uuid     NOT NULL                        -- the relay (one per process) that drained it last
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE outbox_lane_owner`);
    await runner.query(`DROP INDEX outbox_set_aside`);
    await runner.query(`DROP INDEX outbox_pending`);
    await runner.query(`CREATE INDEX outbox_pending ON outbox (lane, id) WHERE published_at IS NULL`);
    await runner.query(`ALTER TABLE outbox DROP COLUMN set_aside_at, DROP COLUMN set_aside_reason`);
  }
}
