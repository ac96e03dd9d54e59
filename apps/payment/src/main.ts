import 'reflect-metadata';
import { runService } from '@saga/platform';
import { loadPaymentConfig } from './config.js';
import { PaymentModule } from './payment.module.js';

await runService('payment', () => {
  const config = loadPaymentConfig();
  return { module: PaymentModule.register(config), port: config.PORT, host: config.HOST, logLevel: config.LOG_LEVEL };
});
