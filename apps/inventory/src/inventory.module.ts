import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import type { InventoryConfig } from './config.js';

@Module({})
export class InventoryModule {
  static register(config: InventoryConfig): DynamicModule {
    return {
      module: InventoryModule,
      imports: [SagaServiceModule.register({ serviceName: 'inventory', config, entities: [], migrations: [] })],
    };
  }
}
