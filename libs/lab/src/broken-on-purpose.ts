/**
 * The failure lab's stand-ins for the outbox and the inbox, each swapped in at the one provider it replaces
 * (SAGA_OUTBOX=off, SAGA_INBOX=off in MessagingModule of @saga/platform). The core classes know nothing of them.
 */
import { Logger, type Provider } from '@nestjs/common';
import { Inbox } from '@saga/inbox';
import { Outbox } from '@saga/outbox';
import type { FaultInjector } from '@saga/runtime';
import { Kafka, Partitioners } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AcceptEveryCopy } from './accept-every-copy.js';
import { SendAfterCommit } from './send-after-commit.js';

const logger = new Logger('BrokenOnPurpose');

export const brokenOnPurpose = {
  outbox: (topicPrefix: string, faults: FaultInjector): Provider => ({
    provide: Outbox,
    inject: [DataSource, Kafka],
    useFactory: (dataSource: DataSource, kafka: Kafka) => {
      logger.warn('SAGA_OUTBOX=off: events are sent after commit, and lost in a crash');
      const producer = kafka.producer({
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      return new SendAfterCommit(dataSource, producer, faults, topicPrefix);
    },
  }),
  inbox: {
    provide: Inbox,
    useFactory: () => {
      logger.warn('SAGA_INBOX=off: a redelivered event is applied again');
      return new AcceptEveryCopy();
    },
  } satisfies Provider,
};
