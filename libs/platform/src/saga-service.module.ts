import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '@saga/outbox';
import type { EntitySchema, MigrationInterface } from 'typeorm';
import { Clock, SystemClock } from './clock.js';
import type { ServiceConfig } from './config.js';
import { databaseOptions } from './database.js';

export type SagaServiceOptions = {
  serviceName: string;
  config: ServiceConfig;
  entities: EntitySchema[];
  /** The service's own migrations; the outbox and inbox tables come first, from @saga/outbox. */
  migrations: (new () => MigrationInterface)[];
};

/**
 * What every service of the saga stands on, in one import: its own database (migrated at start), the outbox,
 * the inbox and the Kafka consumer behind `@OnEvent`, `GET /health`, and the clock.
 */
@Module({})
export class SagaServiceModule {
  static register({ serviceName, config, entities, migrations }: SagaServiceOptions): DynamicModule {
    return {
      module: SagaServiceModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(databaseOptions(config.DATABASE_URL, entities, migrations)),
        OutboxModule.forRoot({
          serviceName,
          kafkaBrokers: config.KAFKA_BROKERS,
          databaseUrl: config.DATABASE_URL,
          consumer: { groupId: config.KAFKA_CONSUMER_GROUP ?? serviceName },
        }),
      ],
      providers: [{ provide: Clock, useClass: SystemClock }],
      exports: [Clock],
    };
  }
}
