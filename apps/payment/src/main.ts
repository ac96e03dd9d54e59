import 'reflect-metadata';
import { startTracing } from '@saga/telemetry/sdk';

// Before the service loads: tracing (off unless OTEL_* variables ask for it) wraps pg and http as they load.
startTracing('payment');
const { runService } = await import('@saga/platform');
const { loadPaymentConfig } = await import('./config.js');
const { PaymentModule } = await import('./payment.module.js');

await runService('payment', () => {
  const config = loadPaymentConfig();
  return {
    module: PaymentModule.register(config),
    port: config.PORT,
    host: config.HOST,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
  };
});
