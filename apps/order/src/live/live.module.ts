/**
 * The live saga page, in one folder: the page itself (saga-page/), its server-sent events (GET /orders/stream),
 * and the NOTIFY that every write to an order sends in its transaction. The rest of the service knows nothing of
 * it but the two lines of order.module.ts that name LiveModule: delete this folder and those lines (and the page's
 * browser test, e2e/src/saga-page.e2e-spec.ts), and the service still builds, runs and passes its tests.
 */
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { OrderChangeListener } from './order-change-listener.js';
import { OrderChangeNotifier } from './order-changes.js';
import { OrderStreamController } from './order-stream.controller.js';
import { sagaPage, SagaPageController } from './saga-page.controller.js';

@Module({
  controllers: [SagaPageController, OrderStreamController],
  providers: [OrderChangeNotifier, OrderChangeListener],
})
export class LiveModule implements OnModuleInit {
  constructor(private readonly http: HttpAdapterHost) {}

  /** Serves the page's files as they are (after the routes, before the answer for an unknown path). */
  onModuleInit(): void {
    const adapter = this.http.httpAdapter as unknown as ExpressAdapter;
    adapter.useStaticAssets(sagaPage.directory, { prefix: sagaPage.prefix });
  }
}
