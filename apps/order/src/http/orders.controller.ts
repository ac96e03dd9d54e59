import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { causedByRequest } from '@saga/events';
import { Clock, ZodValidation } from '@saga/platform';
import { randomUUID } from 'node:crypto';
import { placeOrder, type Order } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';
import { placeOrderRequest, type PlaceOrderRequest } from './place-order.request.js';

const validOrderId = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id: must be a UUID') });

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly store: OrderStore,
    private readonly clock: Clock,
  ) {}

  @Post()
  async place(@Body(new ZodValidation(placeOrderRequest)) request: PlaceOrderRequest) {
    const decision = placeOrder(request, randomUUID(), causedByRequest(), this.clock.now());
    await this.store.create(decision);
    return { orderId: decision.order.id, status: decision.order.status };
  }

  @Get(':id')
  async get(@Param('id', validOrderId) id: string) {
    const order = await this.store.find(id);
    if (!order) throw new NotFoundException(`order ${id} does not exist`);
    return present(order);
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
});
