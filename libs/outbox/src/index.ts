export { Outbox, type OutboxRecord } from './outbox.js';
export { laneProducerConfig, type LaneClients } from './lane-producers.js';
export { OutboxRelay, defaultRelayOptions, toTopicMessages, type RelayOptions } from './outbox-relay.js';
export { outboxMigrations } from './migrations/index.js';
