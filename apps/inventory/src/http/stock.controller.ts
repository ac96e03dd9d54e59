import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { skuSchema } from '@saga/events';
import { errorResponse, Roles } from '@saga/platform';
import { z } from 'zod';
import type { StockItem } from '../domain/inventory.js';
import { InventoryStore } from '../persistence/inventory-store.js';

const setStockRequest = z.strictObject({ available: z.number().int().min(0).max(1_000_000_000) });

/** A SKU's stock: `available` to reserve, `reserved` for running orders, `sold` to completed ones. */
const stockResponse = z.object({
  sku: skuSchema,
  available: z.number().int().nonnegative(),
  reserved: z.number().int().nonnegative(),
  sold: z.number().int().nonnegative(),
});

const presentStock = ({ sku, available, reserved, sold }: StockItem): z.output<typeof stockResponse> => ({
  sku,
  available,
  reserved,
  sold,
});

/** Anyone signed in reads stock; an admin sets it. */
@ApiBearerAuth()
@Controller('stock')
export class StockController {
  constructor(private readonly store: InventoryStore) {}

  /** A SKU never stocked has nothing available. */
  @Get(':sku')
  @ApiResponse({ status: 200, description: "The SKU's stock", standardSchema: stockResponse })
  async get(@Param('sku', { schema: skuSchema }) id: string) {
    return presentStock((await this.store.findStock(id)) ?? { sku: id, available: 0, reserved: 0, sold: 0 });
  }

  @Put(':sku')
  @ApiResponse({ status: 200, description: 'The stock, with its new availability', standardSchema: stockResponse })
  @ApiResponse({
    status: 400,
    description: 'A field is missing or wrong; each is named',
    standardSchema: errorResponse,
  })
  @Roles('admin')
  async set(
    @Param('sku', { schema: skuSchema }) id: string,
    @Body({ schema: setStockRequest }) { available }: z.output<typeof setStockRequest>,
  ) {
    return presentStock(await this.store.setAvailable(id, available));
  }
}
