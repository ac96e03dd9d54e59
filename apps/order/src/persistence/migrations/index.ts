import { CreateOrders1730000000100 } from './1730000000100-create-orders.js';

/** The order service's own tables (after the outbox's and inbox's). */
export const orderMigrations = [CreateOrders1730000000100];
