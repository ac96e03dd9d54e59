import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import { ORDER_CONFIG, type OrderConfig } from './config.js';
import { OrderViewController } from './http/order-view.controller.js';
import { OrdersController } from './http/orders.controller.js';
import { OrderDeadlineWatcher } from './messaging/order-deadline.watcher.js';
import { OrderConsumer } from './messaging/order.consumer.js';
import { CreateOrders1730000000100 } from './persistence/migrations/1730000000100-create-orders.js';
import { OrderCorrelation1730000000101 } from './persistence/migrations/1730000000101-order-correlation.js';
import { OrderVersion1730000000102 } from './persistence/migrations/1730000000102-order-version.js';
import { IdempotencyKeys1730000000103 } from './persistence/migrations/1730000000103-idempotency-keys.js';
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
          migrations: [
            CreateOrders1730000000100,
            OrderCorrelation1730000000101,
            OrderVersion1730000000102,
            IdempotencyKeys1730000000103,
          ],
        }),
      ],
      controllers: [OrdersController, OrderViewController, OrderConsumer],
      providers: [{ provide: ORDER_CONFIG, useValue: config }, OrderStore, OrderDeadlineWatcher],
    };
  }
}
