import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Inbox rows expire (see Inbox.forgetOlderThan): the deletion finds them by age. */
export class InboxRetention1730000001001 implements MigrationInterface {
  name = 'InboxRetention1730000001001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX inbox_processed_at ON inbox (processed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX inbox_processed_at`);
  }
}
