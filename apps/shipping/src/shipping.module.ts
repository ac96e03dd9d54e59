import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import { SHIPPING_CONFIG, type ShippingConfig } from './config.js';
import { ShipmentsController } from './http/shipments.controller.js';
import { ShippingConsumer } from './messaging/shipping.consumer.js';
import { CreateShipments1730000000400 } from './persistence/migrations/1730000000400-create-shipments.js';
import { ShipmentEntity } from './persistence/shipment.entity.js';
import { ShipmentStore } from './persistence/shipment-store.js';

@Module({})
export class ShippingModule {
  static register(config: ShippingConfig): DynamicModule {
    return {
      module: ShippingModule,
      imports: [
        SagaServiceModule.register({
          serviceName: 'shipping',
          config,
          entities: [ShipmentEntity],
          orderView: true,
          migrations: [CreateShipments1730000000400],
        }),
      ],
      controllers: [ShipmentsController, ShippingConsumer],
      providers: [{ provide: SHIPPING_CONFIG, useValue: config }, ShipmentStore],
    };
  }
}
