import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rebuild that has begun and not yet emptied the view. A rebuild first forgets the view's consumer offsets, then
 * empties the view; should the process die in between, this row makes the next start finish the job, instead of
 * reading the topic from offset 0 over rows that compaction may since have deleted the tombstones of.
 */
export class OrderViewRebuild1730000001011 implements MigrationInterface {
  name = 'OrderViewRebuild1730000001011';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE order_view_rebuild (
        one          boolean     PRIMARY KEY DEFAULT true CHECK (one), -- at most one row
        reason       text        NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE order_view_rebuild`);
  }
}
