import { OutboxAndInbox1730000000000 } from './1730000000000-outbox-and-inbox.js';
import { OutboxRecords1730000000001 } from './1730000000001-outbox-records.js';

/** The outbox's and inbox's tables, in order. Every service lists them before its own migrations. */
export const outboxMigrations = [OutboxAndInbox1730000000000, OutboxRecords1730000000001];
