import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@saga/events';
import { viewGroup } from '@saga/kafka';
import { consumerGroupOf, SagaServiceModule } from '@saga/platform';
import { ProductView } from './catalogue/product-view.js';
import { PRODUCT_VIEW_OPTIONS, ProductViewProjector } from './catalogue/product-view.projector.js';
import { ProductsController } from './catalogue/products.controller.js';
import { ORDER_CONFIG, type OrderConfig } from './config.js';
import { IdempotencyKeyExpiry } from './http/idempotency-key-expiry.js';
import { OrderViewController } from './http/order-view.controller.js';
import { OrdersController } from './http/orders.controller.js';
import { LiveModule } from './live/live.module.js';
import { OrderDeadlineWatcher } from './messaging/order-deadline.watcher.js';
import { OrderConsumer } from './messaging/order.consumer.js';
import { orderMigrations } from './persistence/migrations/index.js';
import { OrderEntity } from './persistence/order.entity.js';
import { OrderStore } from './persistence/order-store.js';

@Module({})
export class OrderModule {
  static register(config: OrderConfig): DynamicModule {
    return {
      module: OrderModule,
      // Global: the live page's module (imported below) reads orders through the store and the configuration.
      global: true,
      imports: [
        SagaServiceModule.register({
          serviceName: 'order',
          config,
          entities: [OrderEntity],
          migrations: orderMigrations,
        }),
        LiveModule,
      ],
      controllers: [OrdersController, ProductsController, OrderViewController, OrderConsumer],
      providers: [
        { provide: ORDER_CONFIG, useValue: config },
        OrderStore,
        OrderDeadlineWatcher,
        IdempotencyKeyExpiry,
        ProductView,
        ProductViewProjector,
        {
          provide: PRODUCT_VIEW_OPTIONS,
          useValue: {
            groupId: viewGroup(consumerGroupOf(config, 'order'), Topics.products),
            topic: config.KAFKA_TOPIC_PREFIX + Topics.products,
            sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
          },
        },
      ],
      exports: [ORDER_CONFIG, OrderStore],
    };
  }
}
