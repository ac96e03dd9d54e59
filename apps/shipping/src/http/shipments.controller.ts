import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { uuid } from '@saga/platform';
import { ShipmentStore } from '../persistence/shipment-store.js';

@Controller('shipments')
export class ShipmentsController {
  constructor(private readonly store: ShipmentStore) {}

  @Get(':orderId')
  async get(@Param('orderId', { schema: uuid }) orderId: string) {
    const shipment = await this.store.find(orderId);
    if (!shipment) throw new NotFoundException(`shipping has not heard of order ${orderId}`);
    const { status, shipmentId, country, updatedAt } = shipment;
    return { orderId, status, shipmentId, country, updatedAt };
  }
}
