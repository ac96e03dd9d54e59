import 'reflect-metadata';
import { startTracing } from '@saga/telemetry/sdk';

// Before the service loads: tracing (off unless OTEL_* variables ask for it) wraps pg and http as they load.
startTracing('shipping');
const { runService } = await import('@saga/platform');
const { loadShippingConfig } = await import('./config.js');
const { ShippingModule } = await import('./shipping.module.js');

await runService('shipping', () => {
  const config = loadShippingConfig();
  return {
    module: ShippingModule.register(config),
    port: config.PORT,
    host: config.HOST,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
  };
});
