import { loadConfig, portVariable, serviceConfigSchema } from '@saga/platform';
import { z } from 'zod';

export const paymentConfigSchema = serviceConfigSchema.extend({
  PORT: portVariable(3002),
  /** The credit limit of a customer the service has never seen. */
  PAYMENT_DEFAULT_CREDIT_LIMIT_CENTS: z.coerce.number().int().nonnegative().default(100_000),
});

export type PaymentConfig = z.output<typeof paymentConfigSchema>;

export const PAYMENT_CONFIG = Symbol('PAYMENT_CONFIG');

export const loadPaymentConfig = (env: NodeJS.ProcessEnv = process.env): PaymentConfig =>
  loadConfig(paymentConfigSchema, env);
