import 'reflect-metadata';
import { runService } from '@saga/platform';
import { loadOrderConfig } from './config.js';
import { OrderModule } from './order.module.js';

await runService('order', () => {
  const config = loadOrderConfig();
  return {
    module: OrderModule.register(config),
    port: config.PORT,
    host: config.HOST,
    logLevel: config.LOG_LEVEL,
  };
});
