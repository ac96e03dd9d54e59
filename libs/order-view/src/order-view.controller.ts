import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { OrderViewProjector } from './order-view.projector.js';
import { OrderViewStore } from './order-view.store.js';

/**
 * `GET /admin/order-view`: how many orders this service's view holds and their checksum (the same on every
 * service once they have caught up), and whether a rebuild is running.
 * `POST /admin/order-view/rebuild`: drop the view and read it back from the log.
 */
@Controller('admin/order-view')
export class OrderViewController {
  constructor(
    private readonly store: OrderViewStore,
    private readonly projector: OrderViewProjector,
  ) {}

  @Get()
  async summary() {
    return { ...(await this.store.summary()), ...this.projector.state };
  }

  /** Answers at once (202); follow the progress with GET. Saga events wait until the view is rebuilt. */
  @Post('rebuild')
  @HttpCode(202)
  rebuild() {
    this.projector.rebuild('requested through the admin API').catch(() => undefined);
    return this.projector.state;
  }
}
