import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '@saga/outbox';
import { Clock, databaseOptions, SystemClock } from '@saga/platform';
import type { OrderConfig } from './config.js';
import { OrdersController } from './http/orders.controller.js';
import { OrderConsumer } from './messaging/order.consumer.js';
import { CreateOrders1730000000100 } from './persistence/migrations/1730000000100-create-orders.js';
import { OrderEntity } from './persistence/order.entity.js';
import { OrderStore } from './persistence/order-store.js';

@Module({})
export class OrderModule {
  static register(config: OrderConfig): DynamicModule {
    return {
      module: OrderModule,
      imports: [
        TypeOrmModule.forRoot(databaseOptions(config.DATABASE_URL, [OrderEntity], [CreateOrders1730000000100])),
        OutboxModule.forRoot({
          serviceName: 'order',
          kafkaBrokers: config.KAFKA_BROKERS,
          databaseUrl: config.DATABASE_URL,
          consumer: { groupId: config.KAFKA_CONSUMER_GROUP ?? 'order' },
        }),
      ],
      controllers: [OrdersController, OrderConsumer],
      providers: [{ provide: Clock, useClass: SystemClock }, OrderStore],
    };
  }
}
