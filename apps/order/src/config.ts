import { loadConfig, portVariable, serviceConfigSchema } from '@saga/platform';
import type { z } from 'zod';

export const orderConfigSchema = serviceConfigSchema.extend({
  PORT: portVariable(3001),
});

export type OrderConfig = z.output<typeof orderConfigSchema>;

export const loadOrderConfig = (env: NodeJS.ProcessEnv = process.env): OrderConfig =>
  loadConfig(orderConfigSchema, env);
