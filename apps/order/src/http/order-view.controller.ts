import { ApiBearerAuth } from '@nestjs/swagger';
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { OrderStore } from '../persistence/order-store.js';

/**
 * `GET /admin/order-view` on the order service: the same summary the other services give of their views, taken
 * here from the source (the orders table, which publishes the snapshots), so all four can be compared.
 * `POST /admin/order-view/republish`: publishes every order's current snapshot to `orders` again. This, not a
 * redrive, is how `orders` is repaired: a redriven snapshot could be older than the newest one of its order.
 */
@ApiBearerAuth() // every /admin/ route needs the admin role (@saga/platform identity.ts)
@Controller('admin/order-view')
export class OrderViewController {
  constructor(private readonly store: OrderStore) {}

  @Get()
  async summary() {
    return { ...(await this.store.summary()), state: 'source' };
  }

  @Post('republish')
  @HttpCode(200)
  async republish() {
    return { republished: await this.store.republishSnapshots() };
  }
}
