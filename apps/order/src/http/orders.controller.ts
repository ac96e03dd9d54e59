import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  UnprocessableEntityException,
} from '@nestjs/common';
import { DeciderRunner } from '@saga/inbox';
import { uuidParam, ZodValidation } from '@saga/platform';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isTerminal, order, type CancelOrder, type PlaceOrder } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';
import {
  idempotencyKey,
  listOrdersQuery,
  placeOrderRequest,
  type ListOrdersQuery,
  type PlaceOrderRequest,
} from './order.requests.js';
import { presentOrder } from './order.responses.js';

const checkIdempotencyKey = new ZodValidation(idempotencyKey, 'Idempotency-Key');

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly store: OrderStore,
    private readonly runner: DeciderRunner,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Places an order. Send an `Idempotency-Key` header (any unique string, such as a UUID) to make retries safe:
   * the same key with the same request returns the first response and places nothing; with another request, 422.
   */
  @Post()
  async place(
    @Body(new ZodValidation(placeOrderRequest)) request: PlaceOrderRequest,
    @Headers('idempotency-key') header: string | undefined,
    @Res({ passthrough: true }) reply: { header(name: string, value: string): unknown },
  ) {
    const key = checkIdempotencyKey.transform(header); // Nest runs no pipes on @Headers
    const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const place: PlaceOrder = { type: 'PlaceOrder', orderId: randomUUID(), ...request, correlationId: randomUUID() };
    const response = { orderId: place.orderId, status: 'PENDING' };
    // The key and the order commit together, or neither does.
    const earlier = await this.dataSource.transaction(async (transaction) => {
      const first =
        key === undefined ? null : await this.store.claimIdempotencyKey(transaction, { key, fingerprint }, response);
      if (!first) await this.runner.run(transaction, { decider: order, store: this.store }, place);
      return first;
    });
    if (!earlier) return response;
    if (earlier.fingerprint !== fingerprint) {
      throw new UnprocessableEntityException(
        `Idempotency-Key "${key}" was already used for a different request; use a new key for a new order`,
      );
    }
    reply.header('Idempotent-Replayed', 'true');
    return earlier.response;
  }

  @Get()
  async list(@Query(new ZodValidation(listOrdersQuery, '(query)')) { limit, offset }: ListOrdersQuery) {
    const { orders, total } = await this.store.list(limit, offset);
    return { orders: orders.map(presentOrder), total, limit, offset };
  }

  @Get(':id')
  async get(@Param('id', uuidParam('id')) id: string) {
    const order = await this.store.find(id);
    if (!order) throw new NotFoundException(`order ${id} does not exist`);
    return presentOrder(order);
  }

  /** Cancels a running order; every step already taken is compensated. 409 when the order has ended. */
  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id', uuidParam('id')) id: string) {
    const cancel: CancelOrder = { type: 'CancelOrder', orderId: id, reason: 'CUSTOMER_CANCELLED' };
    const { state, outputs } = await this.dataSource.transaction((transaction) =>
      this.runner.run(transaction, { decider: order, store: this.store }, cancel),
    );
    if (!state) throw new NotFoundException(`order ${id} does not exist`);
    if (outputs.length === 0) {
      const why = state.reason ? ` (${state.reason})` : '';
      throw new ConflictException(`order ${id} has already ended: it is ${state.status}${why}`);
    }
    return presentOrder(state);
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
