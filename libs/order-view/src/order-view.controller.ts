import { ApiBearerAuth } from '@nestjs/swagger';
import { ConflictException, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { OrderViewProjector, RebuildRefused } from './order-view.projector.js';
import { OrderViewStore } from './order-view.store.js';
import { OrderViews } from './order-views.js';

/**
 * `GET /admin/order-view`: how many orders this service's view holds and their checksum (the same on every
 * service once they have caught up), whether a rebuild is running, and `notYet`: how many times an event found the
 * view behind the order version it needs and was retried (since the process started).
 * `POST /admin/order-view/rebuild`: drop the view and read it back from the log; 409 while another instance of
 * the service uses the view.
 */
@ApiBearerAuth() // every /admin/ route needs the admin role (@saga/platform identity.ts)
@Controller('admin/order-view')
export class OrderViewController {
  constructor(
    private readonly store: OrderViewStore,
    private readonly projector: OrderViewProjector,
    private readonly views: OrderViews,
  ) {}

  @Get()
  async summary() {
    return { ...(await this.store.summary()), ...this.projector.state, notYet: this.views.notYetCount };
  }

  /** Answers at once (202); follow the progress with GET. Saga events wait until the view is rebuilt. */
  @Post('rebuild')
  @HttpCode(202)
  async rebuild() {
    try {
      return await this.projector.requestRebuild('requested through the admin API');
    } catch (error) {
      if (error instanceof RebuildRefused) throw new ConflictException(error.message);
      throw error;
    }
  }
}
