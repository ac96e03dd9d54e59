import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { causedByRequest } from '@saga/events';
import { Clock, uuidParam, ZodValidation } from '@saga/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { cancelOrder, isTerminal, placeOrder, type Order } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';
import { listOrdersQuery, placeOrderRequest, type ListOrdersQuery, type PlaceOrderRequest } from './order.requests.js';

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly store: OrderStore,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Post()
  async place(@Body(new ZodValidation(placeOrderRequest)) request: PlaceOrderRequest) {
    const decision = placeOrder(request, randomUUID(), causedByRequest(), this.clock.now());
    await this.store.create(decision);
    return { orderId: decision.order.id, status: decision.order.status };
  }

  @Get()
  async list(@Query(new ZodValidation(listOrdersQuery)) { limit, offset }: ListOrdersQuery) {
    const { orders, total } = await this.store.list(limit, offset);
    return { orders: orders.map(present), total, limit, offset };
  }

  @Get(':id')
  async get(@Param('id', uuidParam('id')) id: string) {
    const order = await this.store.find(id);
    if (!order) throw new NotFoundException(`order ${id} does not exist`);
    return present(order);
  }

  /** Cancels a running order; every step already taken is compensated. 409 when the order has ended. */
  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id', uuidParam('id')) id: string) {
    const decision = await this.dataSource.transaction((transaction) =>
      this.store.update(transaction, id, (order) => cancelOrder(order, 'CUSTOMER_CANCELLED', this.clock.now())),
    );
    if (!decision) throw new NotFoundException(`order ${id} does not exist`);
    const { order } = decision;
    if (!decision.changed) {
      const why = order.reason ? ` (${order.reason})` : '';
      throw new ConflictException(`order ${id} has already ended: it is ${order.status}${why}`);
    }
    return present(order);
  }

  /**
   * Erases an ended order (as for a customer's erasure request): the order is deleted here, and a tombstone on
   * the compacted `orders` topic removes it from every service's view. 409 while its saga is running.
   */
  @Delete(':id')
  @HttpCode(204)
  async erase(@Param('id', uuidParam('id')) id: string): Promise<void> {
    const result = await this.store.erase(id, isTerminal);
    if (!result) throw new NotFoundException(`order ${id} does not exist`);
    if (!result.erased) {
      throw new ConflictException(`order ${id} is still ${result.order.status}: only an ended order can be erased`);
    }
  }
}

const present = (order: Order) => ({
  orderId: order.id,
  status: order.status,
  ...(order.reason ? { reason: order.reason } : {}),
  customerId: order.customerId,
  totalCents: order.totalCents,
  items: order.items,
  shippingAddress: order.shippingAddress,
  history: order.history,
  placedAt: order.placedAt,
  updatedAt: order.updatedAt,
  version: order.version,
});
