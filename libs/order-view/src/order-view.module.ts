import { Module, type DynamicModule } from '@nestjs/common';
import { ORDER_VIEW_OPTIONS, type OrderViewOptions } from './order-view.options.js';
import { OrderViewController } from './order-view.controller.js';
import { OrderViewProjector } from './order-view.projector.js';
import { OrderViewStore } from './order-view.store.js';
import { OrderViews } from './order-views.js';

/**
 * A local, rebuildable view of every order, fed by the compacted `orders` topic. Needs the Kafka client and the
 * ConsumerGate of `MessagingModule` (@saga/platform), and `orderViewMigrations` among the service's migrations.
 */
@Module({})
export class OrderViewModule {
  static forRoot(options: OrderViewOptions): DynamicModule {
    return {
      module: OrderViewModule,
      controllers: [OrderViewController],
      providers: [{ provide: ORDER_VIEW_OPTIONS, useValue: options }, OrderViewStore, OrderViewProjector, OrderViews],
      exports: [OrderViews, OrderViewProjector],
    };
  }
}
