import { EntitySchema } from 'typeorm';
import type { Shipment } from '../domain/shipping.js';

export const ShipmentEntity = new EntitySchema<Shipment>({
  name: 'Shipment',
  tableName: 'shipments',
  columns: {
    orderId: { type: 'uuid', primary: true, name: 'order_id' },
    country: { type: 'text', nullable: true },
    stockReserved: { type: 'boolean', name: 'stock_reserved' },
    cancelled: { type: 'boolean' },
    status: { type: 'text' },
    shipmentId: { type: 'uuid', name: 'shipment_id', nullable: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
  },
});
