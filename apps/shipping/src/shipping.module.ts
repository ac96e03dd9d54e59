import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import type { ShippingConfig } from './config.js';

@Module({})
export class ShippingModule {
  static register(config: ShippingConfig): DynamicModule {
    return {
      module: ShippingModule,
      imports: [SagaServiceModule.register({ serviceName: 'shipping', config, entities: [], migrations: [] })],
    };
  }
}
