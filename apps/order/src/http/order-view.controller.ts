import { Controller, Get } from '@nestjs/common';
import { OrderStore } from '../persistence/order-store.js';

/**
 * `GET /admin/order-view` on the order service: the same summary the other services give of their views, taken
 * here from the source (the orders table, which publishes the snapshots), so all four can be compared.
 */
@Controller('admin/order-view')
export class OrderViewController {
  constructor(private readonly store: OrderStore) {}

  @Get()
  async summary() {
    return { ...(await this.store.summary()), state: 'source' };
  }
}
