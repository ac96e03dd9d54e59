import { Outbox1730000000000 } from './1730000000000-outbox.js';
import { OutboxRelayLanes1730000001000 } from './1730000001000-outbox-relay-lanes.js';

/** The outbox's table. Every service lists it among its migrations. */
export const outboxMigrations = [Outbox1730000000000, OutboxRelayLanes1730000001000];
