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
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { DeciderRunner } from '@saga/inbox';
import { Caller, errorResponse, Principal, Roles, uuid, ZodValidation } from '@saga/platform';
import { tagOrder } from '@saga/telemetry';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProductView, UnknownProducts } from '../catalogue/product-view.js';
import { ProductViewProjector } from '../catalogue/product-view.projector.js';
import { isTerminal, order, type CancelOrder, type PlaceOrder } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';
import {
  idempotencyKey,
  listOrdersQuery,
  placeOrderRequest,
  type ListOrdersQuery,
  type PlaceOrderRequest,
} from './order.requests.js';
import { orderListResponse, orderPlacedResponse, orderResponse, presentOrder } from './order.responses.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorResponse });

const checkIdempotencyKey = new ZodValidation(idempotencyKey, 'Idempotency-Key');

/**
 * A customer places its own orders (the customer is the token's subject, never a field of the body) and sees and
 * cancels only those: another customer's order answers 404, as a missing one does, so that ids reveal nothing.
 * An admin sees, cancels and erases every order, and places none.
 */
@ApiBearerAuth()
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly store: OrderStore,
    private readonly runner: DeciderRunner,
    private readonly dataSource: DataSource,
    private readonly products: ProductView,
    private readonly catalogue: ProductViewProjector,
  ) {}

  /**
   * Places an order: each line names a SKU and a quantity, and is charged the price inventory sells the SKU at now
   * (the order keeps it, whatever the price becomes). Send an `Idempotency-Key` header (any unique string, such as a UUID) to make retries safe:
   * the same key with the same request returns the first response and places nothing; with another request, 422.
   */
  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Makes a retry safe: the same key and request answer as the first time, and place nothing new',
  })
  @ApiResponse({ status: 201, description: 'Placed: its saga has started', standardSchema: orderPlacedResponse })
  @refused(400, 'A field is missing or wrong; each is named')
  @refused(401, 'No valid bearer token')
  @refused(403, 'Not a customer: only customers place orders')
  @refused(422, 'A SKU that is not sold, or an Idempotency-Key used for a different request')
  @refused(503, 'The database is unavailable, or the catalogue still loading; nothing was placed, try again')
  @Roles('customer')
  async place(
    @Caller() caller: Principal,
    @Body({ schema: placeOrderRequest }) body: PlaceOrderRequest,
    @Headers('idempotency-key') header: string | undefined,
    @Res({ passthrough: true }) reply: { header(name: string, value: string): unknown },
  ) {
    const key = checkIdempotencyKey.transform(header); // Nest runs no pipes on @Headers
    const customerId = caller.customerId!;
    const request = { ...body, customerId };
    const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const orderId = randomUUID();
    const response = { orderId, status: 'PENDING' };
    tagOrder(orderId); // the trace viewer finds the order's trace by its id from its first span on
    // The key and the order commit together, or neither does.
    const placeOnce = () =>
      this.dataSource.transaction(async (transaction) => {
        // A key is the customer's own: another customer's same key is another key.
        const claim = { key: `${customerId}/${key}`, fingerprint };
        const first = key === undefined ? null : await this.store.claimIdempotencyKey(transaction, claim, response);
        if (first) return first;
        // Each line at the price inventory sells its SKU at now; the order keeps it (docs/security.md, prices).
        const items = await this.products.price(transaction, body.items);
        const place: PlaceOrder = { type: 'PlaceOrder', orderId, ...request, items, correlationId: randomUUID() };
        await this.runner.run(transaction, { decider: order, store: this.store }, place);
        return null;
      });
    const earlier = await placeOnce().catch(async (error: unknown) => {
      if (!(error instanceof UnknownProducts)) throw error;
      // Perhaps only late: a product set at inventory a moment ago may still be on its way to the view.
      if (!(await this.catalogue.readUpToNow())) {
        throw new ServiceUnavailableException(
          `the catalogue is behind (${error.skus.join(', ')} not known yet); try again`,
        );
      }
      return placeOnce().catch((again: unknown) => {
        if (!(again instanceof UnknownProducts)) throw again;
        throw new UnprocessableEntityException(`${again.message}: an order may name only products inventory sells`);
      });
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
  @ApiResponse({ status: 200, description: 'Newest first', standardSchema: orderListResponse })
  @refused(400, 'limit or offset out of range')
  async list(@Caller() caller: Principal, @Query({ schema: listOrdersQuery }) { limit, offset }: ListOrdersQuery) {
    const { orders, total } = await this.store.list(limit, offset, caller.ordersOf);
    return { orders: orders.map(presentOrder), total, limit, offset };
  }

  @Get(':id')
  @ApiResponse({ status: 200, description: 'The order', standardSchema: orderResponse })
  @refused(400, 'The id is not a UUID')
  @refused(404, 'No such order')
  async get(@Caller() caller: Principal, @Param('id', { schema: uuid }) id: string) {
    return presentOrder(await this.ownOrder(caller, id));
  }

  /** Cancels a running order; every step already taken is compensated. 409 when the order has ended. */
  @Post(':id/cancel')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Cancelled; its compensations follow', standardSchema: orderResponse })
  @refused(404, 'No such order')
  @refused(409, 'The order has already ended')
  async cancel(@Caller() caller: Principal, @Param('id', { schema: uuid }) id: string) {
    await this.ownOrder(caller, id); // its customer never changes: checked once, before the transaction
    const cancel: CancelOrder = { type: 'CancelOrder', orderId: id, reason: 'CUSTOMER_CANCELLED' };
    tagOrder(id);
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
  @ApiResponse({ status: 204, description: 'Erased here, and a tombstone sent to every view' })
  @refused(404, 'No such order')
  @refused(409, 'Its saga is still running')
  @Roles('admin')
  async erase(@Param('id', { schema: uuid }) id: string): Promise<void> {
    const result = await this.store.erase(id, isTerminal);
    if (!result) throw new NotFoundException(`order ${id} does not exist`);
    if (!result.erased) {
      throw new ConflictException(`order ${id} is still ${result.order.status}: only an ended order can be erased`);
    }
  }

  /** The order, if the caller may see it; otherwise the same 404 as for an order that does not exist. */
  private async ownOrder(caller: Principal, id: string) {
    const order = await this.store.find(id);
    if (!order || !caller.actsFor(order.customerId)) throw new NotFoundException(`order ${id} does not exist`);
    return order;
  }
}
