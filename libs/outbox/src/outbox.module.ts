import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { sagaTopicSpecs, type TopicSpec } from '@saga/events';
import { Kafka, Partitioners } from 'kafkajs';
import { DataSource } from 'typeorm';
import { brokenOnPurpose } from './lab/broken-on-purpose.js';
import { noFaults, type FaultInjector } from './lab/faults.js';
import { HealthController } from './health.controller.js';
import { ConsumerGate } from './inbox/consumer-gate.js';
import { DeadLetters } from './inbox/dead-letters.js';
import { Inbox } from './inbox/inbox.js';
import { defaultConsumerOptions, KafkaInboxServer, type ConsumerOptions } from './inbox/kafka-inbox.server.js';
import { withAdmin } from './kafka/admin.js';
import { createKafka } from './kafka/kafka-client.js';
import { provisionTopics } from './kafka/topic-provisioner.js';
import { Outbox } from './outbox/outbox.js';
import { defaultRelayOptions, OutboxRelay, type RelayOptions } from './outbox/outbox-relay.js';

export type OutboxModuleOptions = {
  /** Kafka client id and consumer group (unless `consumer.groupId` says otherwise). */
  serviceName: string;
  kafkaBrokers: string[];
  /** The service's own database; the relay keeps a LISTEN connection to it. */
  databaseUrl: string;
  /** Put before every topic name, so that several deployments (or test runs) can share one broker. */
  topicPrefix?: string;
  /** Created at start when missing (named without the prefix). */
  topics?: readonly TopicSpec[];
  relay?: Partial<RelayOptions>;
  consumer?: Partial<ConsumerOptions>;
  faults?: FaultInjector;
  /**
   * For teaching only: 'off' commits, then sends events directly (losing them in a crash between the two), and
   * applies every copy of a redelivered event. See docs/README.md, "The crash points".
   */
  outbox?: 'on' | 'off';
  inbox?: 'on' | 'off';
};

const OPTIONS = Symbol('OUTBOX_MODULE_OPTIONS');

@Injectable()
class MessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(OPTIONS) private readonly options: OutboxModuleOptions,
    @Inject(Kafka) private readonly kafka: Kafka,
    private readonly relay: OutboxRelay,
    private readonly deadLetters: DeadLetters,
  ) {}

  async onModuleInit(): Promise<void> {
    const prefix = this.options.topicPrefix ?? '';
    const specs = this.options.topics ?? sagaTopicSpecs();
    await withAdmin(this.kafka, (admin) =>
      provisionTopics(
        admin,
        specs.map((spec) => ({ ...spec, name: prefix + spec.name })),
      ),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.deadLetters.close();
  }
}

/**
 * Outbox, inbox and the Kafka plumbing around them, for one service. Import once, in the root module:
 *
 *   OutboxModule.forRoot({ serviceName: 'payment', kafkaBrokers, databaseUrl })
 *
 * and list `outboxMigrations` first among the service's migrations. Then connect the consumer in main.ts:
 *
 *   app.connectMicroservice({ strategy: app.get(KafkaInboxServer) })
 */
@Module({})
export class OutboxModule {
  static forRoot(options: OutboxModuleOptions): DynamicModule {
    const faults = options.faults ?? noFaults;
    return {
      module: OutboxModule,
      global: true,
      controllers: [HealthController],
      providers: [
        { provide: OPTIONS, useValue: options },
        { provide: Kafka, useFactory: () => createKafka(options.serviceName, options.kafkaBrokers) },
        options.outbox === 'off' ? brokenOnPurpose.outbox(options.topicPrefix ?? '', faults) : Outbox,
        options.inbox === 'off' ? brokenOnPurpose.inbox : Inbox,
        ConsumerGate,
        {
          provide: DeadLetters,
          inject: [Kafka],
          useFactory: (kafka: Kafka) =>
            new DeadLetters(
              kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner }),
            ),
        },
        {
          provide: OutboxRelay,
          inject: [DataSource, Kafka],
          useFactory: (dataSource: DataSource, kafka: Kafka) =>
            new OutboxRelay(
              dataSource,
              kafka.producer({
                idempotent: true,
                maxInFlightRequests: 1,
                allowAutoTopicCreation: false,
                createPartitioner: Partitioners.DefaultPartitioner,
              }),
              { ...defaultRelayOptions, topicPrefix: options.topicPrefix ?? '', ...options.relay },
              faults,
              options.databaseUrl,
            ),
        },
        {
          provide: KafkaInboxServer,
          inject: [Kafka, DataSource, Inbox, ConsumerGate, DeadLetters],
          useFactory: (
            kafka: Kafka,
            dataSource: DataSource,
            inbox: Inbox,
            gate: ConsumerGate,
            deadLetters: DeadLetters,
          ) =>
            new KafkaInboxServer(
              kafka,
              dataSource,
              inbox,
              {
                ...defaultConsumerOptions,
                groupId: options.serviceName,
                topicPrefix: options.topicPrefix ?? '',
                ...options.consumer,
              },
              faults,
              gate,
              deadLetters,
            ),
        },
        MessagingLifecycle,
      ],
      exports: [Outbox, Inbox, OutboxRelay, KafkaInboxServer, Kafka, ConsumerGate, DeadLetters],
    };
  }
}
