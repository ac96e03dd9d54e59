import { EntitySchema } from 'typeorm';
import type { OrderFacts, StockItem } from '../domain/inventory.js';

export const StockItemEntity = new EntitySchema<StockItem>({
  name: 'StockItem',
  tableName: 'stock_items',
  columns: {
    sku: { type: 'text', primary: true },
    available: { type: 'integer' },
    reserved: { type: 'integer' },
    sold: { type: 'integer' },
  },
});

export const OrderFactsEntity = new EntitySchema<OrderFacts>({
  name: 'OrderFacts',
  tableName: 'order_facts',
  columns: {
    orderId: { type: 'uuid', primary: true, name: 'order_id' },
    lines: { type: 'jsonb', nullable: true },
    paymentAuthorized: { type: 'boolean', name: 'payment_authorized' },
    cancelled: { type: 'boolean' },
    completed: { type: 'boolean' },
    reservation: { type: 'text' },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
  },
});
