import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import type { InventoryConfig } from './config.js';
import { ProductStore } from './catalogue/product-store.js';
import { ProductsController } from './catalogue/products.controller.js';
import { StockController } from './http/stock.controller.js';
import { InventoryConsumer } from './messaging/inventory.consumer.js';
import { OrderFactsEntity, StockItemEntity } from './persistence/inventory.entities.js';
import { InventoryStore } from './persistence/inventory-store.js';
import { CreateInventory1730000000300 } from './persistence/migrations/1730000000300-create-inventory.js';
import { CreateProducts1730000002300 } from './persistence/migrations/1730000002300-create-products.js';

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
          migrations: [CreateInventory1730000000300, CreateProducts1730000002300],
        }),
      ],
      controllers: [StockController, ProductsController, InventoryConsumer],
      providers: [InventoryStore, ProductStore],
    };
  }
}
