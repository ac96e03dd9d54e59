/**
 * Each service's OpenAPI document, as the service serves it at /docs/openapi.json: the app is built in Nest's
 * preview mode (its modules wired, nothing connected), and @nestjs/swagger reads its routes and their zod schemas.
 */
import { NestFactory } from '@nestjs/core';
import { openApiDocument } from '@saga/platform';
import { loadInventoryConfig } from '../../apps/inventory/src/config.js';
import { InventoryModule } from '../../apps/inventory/src/inventory.module.js';
import { loadOrderConfig } from '../../apps/order/src/config.js';
import { OrderModule } from '../../apps/order/src/order.module.js';
import { loadPaymentConfig } from '../../apps/payment/src/config.js';
import { PaymentModule } from '../../apps/payment/src/payment.module.js';
import { loadShippingConfig } from '../../apps/shipping/src/config.js';
import { ShippingModule } from '../../apps/shipping/src/shipping.module.js';

/** Enough for the configuration to load; preview mode connects to nothing. */
const env = { KAFKA_BROKERS: 'kafka:9092', DATABASE_URL: 'postgres://postgres@postgres:5432/preview' };

const modules = {
  order: () => OrderModule.register(loadOrderConfig(env)),
  payment: () => PaymentModule.register(loadPaymentConfig(env)),
  inventory: () => InventoryModule.register(loadInventoryConfig(env)),
  shipping: () => ShippingModule.register(loadShippingConfig(env)),
};

export type ServiceName = keyof typeof modules;
export const services = Object.keys(modules) as ServiceName[];

export async function openApiDocumentOf(service: ServiceName) {
  const app = await NestFactory.create(modules[service](), { preview: true, logger: false });
  try {
    return openApiDocument(app, service);
  } finally {
    await app.close();
  }
}
