import { CreateOrders1730000000100 } from './1730000000100-create-orders.js';
import { OrderCorrelation1730000000101 } from './1730000000101-order-correlation.js';
import { OrderVersion1730000000102 } from './1730000000102-order-version.js';
import { IdempotencyKeys1730000000103 } from './1730000000103-idempotency-keys.js';

/** The order service's own tables, in order (after the outbox's and inbox's). */
export const orderMigrations = [
  CreateOrders1730000000100,
  OrderCorrelation1730000000101,
  OrderVersion1730000000102,
  IdempotencyKeys1730000000103,
];
