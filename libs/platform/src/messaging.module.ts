import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { sagaTopicSpecs, type TopicSpec } from '@saga/events';
import {
  ConsumerGate,
  DeadLetters,
  DeciderRunner,
  defaultConsumerOptions,
  Inbox,
  KafkaInboxServer,
  type ConsumerOptions,
} from '@saga/inbox';
import { createKafka, provisionTopics, withAdmin, type KafkaCredentials } from '@saga/kafka';
import { brokenOnPurpose } from '@saga/lab';
import { defaultRelayOptions, laneProducerConfig, Outbox, OutboxRelay, type RelayOptions } from '@saga/outbox';
import { noFaults, type FaultInjector } from '@saga/runtime';
import { stopTracing } from '@saga/telemetry/sdk';
import { Kafka, Partitioners } from 'kafkajs';
import { DataSource } from 'typeorm';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { Readiness } from './readiness.js';

export type MessagingModuleOptions = {
  /** Kafka client id and consumer group (unless `consumer.groupId` says otherwise). */
  serviceName: string;
  kafkaBrokers: string[];
  /** The service's principal on the brokers; none for an open broker. */
  kafkaCredentials?: KafkaCredentials;
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

const OPTIONS = Symbol('MESSAGING_MODULE_OPTIONS');

@Injectable()
class MessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(OPTIONS) private readonly options: MessagingModuleOptions,
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
    await stopTracing(); // the spans of the last events, still in the exporter's buffer
  }
}

/**
 * The outbox, the inbox and the Kafka plumbing, wired for one service: the one place that puts @saga/outbox,
 * @saga/inbox and @saga/kafka together (and, for a lesson, swaps in @saga/lab's stand-ins). SagaServiceModule
 * imports it; `runService` connects the consumer.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const faults = options.faults ?? noFaults;
    return {
      module: MessagingModule,
      global: true,
      imports: [TerminusModule],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: OPTIONS, useValue: options },
        {
          provide: Kafka,
          useFactory: () =>
            createKafka(options.serviceName, options.kafkaBrokers, { credentials: options.kafkaCredentials }),
        },
        options.outbox === 'off' ? brokenOnPurpose.outbox(options.topicPrefix ?? '', faults) : Outbox,
        options.inbox === 'off' ? brokenOnPurpose.inbox : Inbox,
        ConsumerGate,
        Readiness,
        DeciderRunner,
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
          useFactory: (dataSource: DataSource, kafka: Kafka) => {
            const relay = { ...defaultRelayOptions, topicPrefix: options.topicPrefix ?? '', ...options.relay };
            return new OutboxRelay(
              dataSource,
              {
                producer: (transactionalId) =>
                  kafka.producer(laneProducerConfig(transactionalId, relay.sendTimeLimitMs)),
                admin: () => kafka.admin(),
              },
              { ...relay, transactionalIdPrefix: options.consumer?.groupId ?? options.serviceName },
              faults,
              options.databaseUrl,
            );
          },
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
                participant: options.serviceName,
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
      exports: [
        Outbox,
        Inbox,
        OutboxRelay,
        KafkaInboxServer,
        Kafka,
        ConsumerGate,
        Readiness,
        DeadLetters,
        DeciderRunner,
      ],
    };
  }
}
