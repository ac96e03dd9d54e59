import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { sagaTopicSpecs, Topics } from '@saga/events';
import { allFaults, CrashingFaults, DelayingFaults } from '@saga/lab';
import { viewGroup } from '@saga/kafka';
import { OrderViewModule, orderViewMigrations } from '@saga/order-view';
import { noFaults, type FaultInjector } from '@saga/runtime';
import { createRemoteJWKSet } from 'jose';
import type { EntitySchema, MigrationInterface } from 'typeorm';
import { Clock, SystemClock } from './clock.js';
import { configProblems, ConfigError, consumerGroupOf, type ServiceConfig } from './config.js';
import { databaseOptions, migratedDataSource } from './database.js';
import { DEMO_AUDIENCE, DEMO_ISSUER, demoKeys, DemoTokenController } from './demo-issuer.js';
import { BearerTokenGuard, type TokenCheck } from './identity.js';
import { MessagingModule } from './messaging.module.js';

export type SagaServiceOptions = {
  serviceName: string;
  config: ServiceConfig;
  entities: EntitySchema[];
  /** The service's own migrations; the outbox and inbox tables come first, from @saga/outbox and @saga/inbox. */
  migrations: (new () => MigrationInterface)[];
  /** Keep a local view of every order, fed by the compacted `orders` topic (see @saga/order-view). */
  orderView?: boolean;
};

/**
 * What every service of the saga stands on, in one import: its own database (migrated at start), the outbox,
 * the inbox and the Kafka consumer behind `@OnEvent`, `GET /health`, the clock, the check of every HTTP request's
 * bearer token (identity.ts; in demo mode, the demo issuer's `POST /auth/demo-token`), and on request the order view.
 */
@Module({})
export class SagaServiceModule {
  static register({ serviceName, config, entities, migrations, orderView = false }: SagaServiceOptions): DynamicModule {
    const groupId = consumerGroupOf(config, serviceName);
    const replication = { factor: config.KAFKA_REPLICATION_FACTOR, minInSync: config.KAFKA_MIN_INSYNC_REPLICAS };
    if (replication.minInSync > replication.factor) {
      throw new ConfigError([
        `KAFKA_MIN_INSYNC_REPLICAS (${replication.minInSync}) cannot exceed KAFKA_REPLICATION_FACTOR ` +
          `(${replication.factor}): no write could ever succeed`,
      ]);
    }
    const problems = configProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
    const viewMigrations = orderView ? orderViewMigrations : [];
    const demo = !config.AUTH_JWKS_URL;
    const tokens: TokenCheck = {
      keys: demo ? demoKeys : createRemoteJWKSet(new URL(config.AUTH_JWKS_URL!)),
      issuer: config.AUTH_ISSUER ?? DEMO_ISSUER,
      audience: config.AUTH_AUDIENCE,
      rolesClaim: config.AUTH_ROLES_CLAIM,
    };
    const faults = faultsOf(config);
    return {
      module: SagaServiceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => databaseOptions(config.DATABASE_URL, entities, [...viewMigrations, ...migrations]),
          dataSourceFactory: (options) => migratedDataSource(options!),
        }),
        MessagingModule.forRoot({
          serviceName,
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaCredentials: config.KAFKA_USERNAME
            ? { username: config.KAFKA_USERNAME, password: config.KAFKA_PASSWORD! }
            : undefined,
          databaseUrl: config.DATABASE_URL,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          topics: sagaTopicSpecs(undefined, '', replication),
          consumer: {
            groupId,
            sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
            inboxRetentionMs: config.INBOX_RETENTION_MS,
          },
          faults,
          outbox: config.SAGA_OUTBOX,
          inbox: config.SAGA_INBOX,
        }),
        ...(orderView
          ? [
              OrderViewModule.forRoot({
                groupId: viewGroup(groupId, Topics.orders),
                topic: config.KAFKA_TOPIC_PREFIX + Topics.orders,
                faults,
                sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
              }),
            ]
          : []),
      ],
      controllers: demo ? [DemoTokenController] : [],
      providers: [
        { provide: Clock, useClass: SystemClock },
        // Every HTTP route needs a token unless marked @Public() (identity.ts).
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector) => new BearerTokenGuard(reflector, tokens),
          inject: [Reflector],
        },
        { provide: DEMO_AUDIENCE, useValue: config.AUTH_AUDIENCE },
      ],
      exports: [Clock, ...(orderView ? [OrderViewModule] : [])],
    };
  }
}

/** The faults that the configuration plants (FAULT_CRASH_AT, FAULT_DELAY_AT): none in production. */
function faultsOf(config: ServiceConfig): FaultInjector {
  const planted: FaultInjector[] = [];
  if (config.FAULT_CRASH_AT) planted.push(new CrashingFaults(config.FAULT_CRASH_AT, config.FAULT_CRASH_AFTER));
  if (config.FAULT_DELAY_AT) planted.push(new DelayingFaults(config.FAULT_DELAY_AT, config.FAULT_DELAY_MS));
  return planted.length === 0 ? noFaults : allFaults(...planted);
}
