import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import type { InventoryConfig } from './config.js';
import { StockController } from './http/stock.controller.js';
import { InventoryConsumer } from './messaging/inventory.consumer.js';
import { OrderFactsEntity, StockItemEntity } from './persistence/inventory.entities.js';
import { InventoryStore } from './persistence/inventory-store.js';
import { CreateInventory1730000000300 } from './persistence/migrations/1730000000300-create-inventory.js';

@Module({})
export class InventoryModule {
  static register(config: InventoryConfig): DynamicModule {
    return {
      module: InventoryModule,
      imports: [
        SagaServiceModule.register({
          serviceName: 'inventory',
          config,
          entities: [StockItemEntity, OrderFactsEntity],
          orderView: true,
          migrations: [CreateInventory1730000000300],
        }),
      ],
      controllers: [StockController, InventoryConsumer],
      providers: [InventoryStore],
    };
  }
}
