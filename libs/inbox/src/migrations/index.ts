import { Inbox1730000000001 } from './1730000000001-inbox.js';
import { InboxRetention1730000001001 } from './1730000001001-inbox-retention.js';

/** The inbox's table. Every service that consumes lists it among its migrations. */
export const inboxMigrations = [Inbox1730000000001, InboxRetention1730000001001];
