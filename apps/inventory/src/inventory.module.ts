import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '@saga/outbox';
import { Clock, databaseOptions, SystemClock } from '@saga/platform';
import type { InventoryConfig } from './config.js';

@Module({})
export class InventoryModule {
  static register(config: InventoryConfig): DynamicModule {
    return {
      module: InventoryModule,
      imports: [
        TypeOrmModule.forRoot(databaseOptions(config.DATABASE_URL, [], [])),
        OutboxModule.forRoot({
          serviceName: 'inventory',
          kafkaBrokers: config.KAFKA_BROKERS,
          databaseUrl: config.DATABASE_URL,
          consumer: { groupId: config.KAFKA_CONSUMER_GROUP ?? 'inventory' },
        }),
      ],
      providers: [{ provide: Clock, useClass: SystemClock }],
    };
  }
}
