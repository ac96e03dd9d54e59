import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { InventoryStore } from '../persistence/inventory-store.js';

const sku = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-"');
const setStockRequest = z.strictObject({ available: z.number().int().min(0).max(1_000_000_000) });

@Controller('stock')
export class StockController {
  constructor(private readonly store: InventoryStore) {}

  /** A SKU never stocked has nothing available. */
  @Get(':sku')
  async get(@Param('sku', { schema: sku }) id: string) {
    return (await this.store.findStock(id)) ?? { sku: id, available: 0, reserved: 0, sold: 0 };
  }

  @Put(':sku')
  async set(
    @Param('sku', { schema: sku }) id: string,
    @Body({ schema: setStockRequest }) { available }: z.output<typeof setStockRequest>,
  ) {
    return this.store.setAvailable(id, available);
  }
}
