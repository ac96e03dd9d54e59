import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { inboxMigrations } from '@saga/inbox';
import { outboxMigrations } from '@saga/outbox';
import { DataSource, type DataSourceOptions, type EntitySchema, type MigrationInterface } from 'typeorm';
import { AfterCommitSubscriber } from './after-commit.js';

/**
 * One database per service. The schema comes only from migrations (the outbox and inbox tables, then the
 * service's own), applied at start by `migratedDataSource`; TypeORM never synchronises a schema from the entities.
 */
export function databaseOptions(
  url: string,
  entities: EntitySchema[],
  migrations: (new () => MigrationInterface)[],
): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url,
    entities,
    subscribers: [AfterCommitSubscriber],
    migrations: [...outboxMigrations, ...inboxMigrations, ...migrations],
    migrationsRun: false, // migratedDataSource runs them, one instance at a time
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'migration'],
    extra: { max: 10 },
  };
}

/** Advisory lock key (one database per service, so any fixed number will do): "migrate" in ASCII. */
const MIGRATION_LOCK = 0x6d696772;

/**
 * Opens the database and applies the pending migrations. Instances of a service that start together (replicas)
 * would run the same migration at once and fail on each other's tables: each takes a session-level advisory
 * lock first, so one migrates while the others wait, then find nothing left to do.
 */
export async function migratedDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  const session = dataSource.createQueryRunner();
  try {
    await session.connect();
    await session.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await session.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
    await session.release();
  }
  return dataSource;
}

/** bigint columns arrive from pg as strings; amounts in cents fit a JS number exactly (< 2^53). */
export const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
