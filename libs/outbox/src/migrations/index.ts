import { OutboxAndInbox1730000000000 } from './1730000000000-outbox-and-inbox.js';

/** The outbox's and inbox's tables. Every service lists them before its own migrations. */
export const outboxMigrations = [OutboxAndInbox1730000000000];
