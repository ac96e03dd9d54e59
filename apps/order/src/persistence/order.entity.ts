import { bigintAsNumber } from '@saga/platform';
import { EntitySchema } from 'typeorm';
import type { Order } from '../domain/order.js';

/** Maps the domain's plain `Order` to the `orders` table, without decorating the domain type. */
export const OrderEntity = new EntitySchema<Order>({
  name: 'Order',
  tableName: 'orders',
  columns: {
    id: { type: 'uuid', primary: true },
    customerId: { type: 'uuid', name: 'customer_id' },
    items: { type: 'jsonb' },
    totalCents: { type: 'bigint', name: 'total_cents', transformer: bigintAsNumber },
    shippingAddress: { type: 'jsonb', name: 'shipping_address' },
    status: { type: 'text' },
    reason: { type: 'text', nullable: true },
    history: { type: 'jsonb' },
    placedAt: { type: 'timestamptz', name: 'placed_at' },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
    correlationId: { type: 'uuid', name: 'correlation_id' },
    version: { type: 'integer' },
  },
});
