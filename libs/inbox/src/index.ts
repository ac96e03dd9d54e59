export { Inbox } from './inbox.js';
export { OnEvent, EventRejectedError, eventsHandledBy } from './on-event.js';
export {
  KafkaInboxServer,
  InboxContext,
  defaultConsumerOptions,
  type ConsumerOptions,
  type MessagePosition,
} from './kafka-inbox.server.js';
export { isTransientFailure, isDatabaseUnavailable } from './failures.js';
export { ConsumerGate } from './consumer-gate.js';
export { DeadLetters, DeadLetterHeader, deadLetterTopic, type DeadLetter } from './dead-letters.js';
export { redriveDeadLetters, NotRedrivable, type RedriveResult } from './redrive.js';
export { inboxMigrations } from './migrations/index.js';
export { DeciderRunner, type DeciderStore, type Participant } from './decider-runner.js';
