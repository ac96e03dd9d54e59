import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { productSnapshotSchema, skuSchema } from '@saga/events';
import { errorResponse } from '@saga/platform';
import { z } from 'zod';
import { ProductView } from './product-view.js';

const productList = z.object({ products: z.array(productSnapshotSchema) });

/**
 * The products as the order service knows them, from its view of inventory's `products` topic: the prices a new
 * order is charged. Inventory sets them (PUT /products/:sku there); a change shows here a moment later.
 */
@ApiBearerAuth()
@Controller('products')
export class ProductsController {
  constructor(private readonly view: ProductView) {}

  @Get()
  @ApiResponse({ status: 200, description: 'Every product a new order may name, by SKU', standardSchema: productList })
  async list() {
    return { products: await this.view.list() };
  }

  @Get(':sku')
  @ApiResponse({
    status: 200,
    description: 'The product and the price an order pays now',
    standardSchema: productSnapshotSchema,
  })
  @ApiResponse({ status: 404, description: 'Not sold (or not heard of yet)', standardSchema: errorResponse })
  async get(@Param('sku', { schema: skuSchema }) sku: string) {
    const product = await this.view.find(sku);
    if (!product) throw new NotFoundException(`product ${sku} is not sold`);
    return product;
  }
}
