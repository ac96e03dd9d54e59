import 'reflect-metadata';
import { startTracing } from '@saga/telemetry/sdk';

// Before the service loads: tracing (off unless OTEL_* variables ask for it) wraps pg and http as they load.
startTracing('inventory');
const { runService } = await import('@saga/platform');
const { loadInventoryConfig } = await import('./config.js');
const { InventoryModule } = await import('./inventory.module.js');

await runService('inventory', () => {
  const config = loadInventoryConfig();
  return {
    module: InventoryModule.register(config),
    port: config.PORT,
    host: config.HOST,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
  };
});
