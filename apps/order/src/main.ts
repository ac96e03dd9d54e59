import 'reflect-metadata';
import { startTracing } from '@saga/telemetry/sdk';

// Before the service loads: tracing (off unless OTEL_* variables ask for it) wraps pg and http as they load.
startTracing('order');
const { runService } = await import('@saga/platform');
const { loadOrderConfig } = await import('./config.js');
const { OrderModule } = await import('./order.module.js');

await runService('order', () => {
  const config = loadOrderConfig();
  return {
    module: OrderModule.register(config),
    port: config.PORT,
    host: config.HOST,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
    // The live page asks the trace viewer whether it runs (saga-page/saga.js).
    connectTo: config.TRACE_VIEWER_URL ? [new URL(config.TRACE_VIEWER_URL).origin] : [],
  };
});
