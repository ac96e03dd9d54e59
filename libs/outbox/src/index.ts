export { Outbox, type OutboxRecord } from './outbox/outbox.js';
export { OutboxRelay, defaultRelayOptions, type RelayOptions } from './outbox/outbox-relay.js';
export { Inbox } from './inbox/inbox.js';
export { OnEvent, EventRejectedError } from './inbox/on-event.js';
export {
  KafkaInboxServer,
  InboxContext,
  defaultConsumerOptions,
  type ConsumerOptions,
  type MessagePosition,
} from './inbox/kafka-inbox.server.js';
export { OutboxModule, type OutboxModuleOptions } from './outbox.module.js';
export { outboxMigrations } from './migrations/index.js';
export { TransientError, isTransientFailure, isDatabaseUnavailable } from './inbox/failures.js';
export { ConsumerGate } from './inbox/consumer-gate.js';
export { DeadLetters, DeadLetterHeader, deadLetterTopic, type DeadLetter } from './inbox/dead-letters.js';
export { redriveDeadLetters, type RedriveResult } from './inbox/redrive.js';
export { createKafka } from './kafka/kafka-client.js';
export { PgListener, type PgListenerOptions } from './pg-listener.js';
export { unreadPartitions, withAdmin } from './kafka/admin.js';
export { provisionTopics } from './kafka/topic-provisioner.js';
export {
  allFaults,
  CrashingFaults,
  DelayingFaults,
  delayPoints,
  faultPoints,
  noFaults,
  SimulatedCrash,
  type DelayPoint,
  type FaultInjector,
  type FaultPoint,
} from './lab/faults.js';
export { LazyConnection, retry, type RetryOptions, type RetryPolicy } from './retry.js';
