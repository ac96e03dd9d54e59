import 'reflect-metadata';
import { runService } from '@saga/platform';
import { loadShippingConfig } from './config.js';
import { ShippingModule } from './shipping.module.js';

await runService('shipping', () => {
  const config = loadShippingConfig();
  return { module: ShippingModule.register(config), port: config.PORT, host: config.HOST, logLevel: config.LOG_LEVEL };
});
