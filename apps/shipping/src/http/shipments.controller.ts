import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { errorResponse, Roles, uuid } from '@saga/platform';
import { z } from 'zod';
import { ShipmentStore } from '../persistence/shipment-store.js';

/** The shipment of an order: `shipmentId` once scheduled, `country` once a decision needed it. */
const shipmentResponse = z.object({
  orderId: z.uuid(),
  status: z.enum(['PENDING', 'SCHEDULED', 'FAILED', 'CANCELLED']),
  shipmentId: z.string().nullable(),
  country: z.string().nullable(),
  updatedAt: z.iso.datetime({ offset: true }),
});

/** For the shop's staff: a customer follows its order on the order service. */
@ApiBearerAuth()
@Roles('admin')
@Controller('shipments')
export class ShipmentsController {
  constructor(private readonly store: ShipmentStore) {}

  @Get(':orderId')
  @ApiResponse({ status: 200, description: "The order's shipment", standardSchema: shipmentResponse })
  @ApiResponse({ status: 404, description: 'Shipping has not heard of the order', standardSchema: errorResponse })
  async get(@Param('orderId', { schema: uuid }) orderId: string): Promise<z.output<typeof shipmentResponse>> {
    const shipment = await this.store.find(orderId);
    if (!shipment) throw new NotFoundException(`shipping has not heard of order ${orderId}`);
    const { status, shipmentId, country, updatedAt } = shipment;
    return { orderId, status, shipmentId, country, updatedAt: updatedAt.toISOString() };
  }
}
