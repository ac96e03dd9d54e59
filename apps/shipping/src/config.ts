import { loadConfig, portVariable, serviceConfigSchema } from '@saga/platform';
import type { z } from 'zod';

export const shippingConfigSchema = serviceConfigSchema.extend({
  PORT: portVariable(3004),
});

export type ShippingConfig = z.output<typeof shippingConfigSchema>;

export const loadShippingConfig = (env: NodeJS.ProcessEnv = process.env): ShippingConfig =>
  loadConfig(shippingConfigSchema, env);
