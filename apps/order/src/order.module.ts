import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import { ORDER_CONFIG, type OrderConfig } from './config.js';
import { OrderViewController } from './http/order-view.controller.js';
import { OrderStreamController } from './http/order-stream.controller.js';
import { OrdersController } from './http/orders.controller.js';
import { SagaPageController } from './http/saga-page.controller.js';
import { OrderDeadlineWatcher } from './messaging/order-deadline.watcher.js';
import { OrderConsumer } from './messaging/order.consumer.js';
import { orderMigrations } from './persistence/migrations/index.js';
import { OrderChangeListener } from './persistence/order-change-listener.js';
import { OrderEntity } from './persistence/order.entity.js';
import { OrderStore } from './persistence/order-store.js';

@Module({})
export class OrderModule {
  static register(config: OrderConfig): DynamicModule {
    return {
      module: OrderModule,
      imports: [
        SagaServiceModule.register({
          serviceName: 'order',
          config,
          entities: [OrderEntity],
          migrations: orderMigrations,
        }),
      ],
      controllers: [OrdersController, OrderStreamController, SagaPageController, OrderViewController, OrderConsumer],
      providers: [{ provide: ORDER_CONFIG, useValue: config }, OrderStore, OrderDeadlineWatcher, OrderChangeListener],
    };
  }
}
