import 'reflect-metadata';
import { runService } from '@saga/platform';
import { loadInventoryConfig } from './config.js';
import { InventoryModule } from './inventory.module.js';

await runService('inventory', () => {
  const config = loadInventoryConfig();
  return { module: InventoryModule.register(config), port: config.PORT, host: config.HOST, logLevel: config.LOG_LEVEL };
});
