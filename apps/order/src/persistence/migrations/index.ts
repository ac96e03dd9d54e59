import { CreateOrders1730000000100 } from './1730000000100-create-orders.js';
import { BoundedTables1730000001100 } from './1730000001100-bounded-tables.js';
import { OrdersByCustomer1730000002100 } from './1730000002100-orders-by-customer.js';
import { ProductView1730000003100 } from './1730000003100-product-view.js';

/** The order service's own tables (after the outbox's and inbox's). */
export const orderMigrations = [
  CreateOrders1730000000100,
  BoundedTables1730000001100,
  OrdersByCustomer1730000002100,
  ProductView1730000003100,
];
