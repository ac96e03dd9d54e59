import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { productSnapshotSchema, skuSchema } from '@saga/events';
import { errorResponse, Roles } from '@saga/platform';
import { z } from 'zod';
import { ProductStore } from './product-store.js';

const setProductRequest = productSnapshotSchema.pick({ name: true, priceCents: true }).strict();
const productList = z.object({ products: z.array(productSnapshotSchema) });
/** A product, and whether its newest change has gone out on `products` yet (the outbox sends it a moment later). */
const productResponse = productSnapshotSchema.extend({ published: z.boolean() });

/**
 * What inventory sells, and at what price. Anyone signed in reads it; an admin sets a price or withdraws a product.
 * Each change reaches the order service through the compacted `products` topic, and applies to orders placed from
 * then on: an order placed earlier keeps the price it was placed at.
 */
@ApiBearerAuth()
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductStore) {}

  @Get()
  @ApiResponse({ status: 200, description: 'Every product, by SKU', standardSchema: productList })
  async list() {
    return { products: await this.products.list() };
  }

  @Get(':sku')
  @ApiResponse({
    status: 200,
    description: 'The product, and whether its last change is published',
    standardSchema: productResponse,
  })
  @ApiResponse({ status: 404, description: 'Not sold here', standardSchema: errorResponse })
  async get(@Param('sku', { schema: skuSchema }) sku: string) {
    const product = await this.products.find(sku);
    if (!product) throw new NotFoundException(`product ${sku} is not sold here`);
    return { ...product, published: await this.products.isPublished(sku) };
  }

  @Put(':sku')
  @ApiResponse({
    status: 200,
    description: 'The product, at its new version if it changed',
    standardSchema: productSnapshotSchema,
  })
  @ApiResponse({
    status: 400,
    description: 'A field is missing or wrong; each is named',
    standardSchema: errorResponse,
  })
  @Roles('admin')
  async set(
    @Param('sku', { schema: skuSchema }) sku: string,
    @Body({ schema: setProductRequest }) body: z.output<typeof setProductRequest>,
  ) {
    return this.products.set(sku, body);
  }

  /** Stops selling it: orders placed from now on cannot name it; orders placed already are not touched. */
  @Delete(':sku')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Withdrawn, and a tombstone sent to the order service' })
  @ApiResponse({ status: 404, description: 'Not sold here', standardSchema: errorResponse })
  @Roles('admin')
  async withdraw(@Param('sku', { schema: skuSchema }) sku: string): Promise<void> {
    if (!(await this.products.withdraw(sku))) throw new NotFoundException(`product ${sku} is not sold here`);
  }
}
