import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '@saga/outbox';
import { Clock, databaseOptions, SystemClock } from '@saga/platform';
import type { ShippingConfig } from './config.js';

@Module({})
export class ShippingModule {
  static register(config: ShippingConfig): DynamicModule {
    return {
      module: ShippingModule,
      imports: [
        TypeOrmModule.forRoot(databaseOptions(config.DATABASE_URL, [], [])),
        OutboxModule.forRoot({
          serviceName: 'shipping',
          kafkaBrokers: config.KAFKA_BROKERS,
          databaseUrl: config.DATABASE_URL,
          consumer: { groupId: config.KAFKA_CONSUMER_GROUP ?? 'shipping' },
        }),
      ],
      providers: [{ provide: Clock, useClass: SystemClock }],
    };
  }
}
