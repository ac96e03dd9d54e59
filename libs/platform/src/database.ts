import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { inboxMigrations } from '@saga/inbox';
import { outboxMigrations } from '@saga/outbox';
import type { EntitySchema, MigrationInterface } from 'typeorm';

/**
 * One database per service. The schema comes only from migrations (the outbox and inbox tables, then the
 * service's own), applied at start; TypeORM never synchronises a schema from the entities.
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
    migrations: [...outboxMigrations, ...inboxMigrations, ...migrations],
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'migration'],
    extra: { max: 10 },
  };
}

/** bigint columns arrive from pg as strings; amounts in cents fit a JS number exactly (< 2^53). */
export const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
