import { loadConfig, portVariable, serviceConfigSchema } from '@saga/platform';
import type { z } from 'zod';

export const inventoryConfigSchema = serviceConfigSchema.extend({
  PORT: portVariable(3003),
});

export type InventoryConfig = z.output<typeof inventoryConfigSchema>;

export const loadInventoryConfig = (env: NodeJS.ProcessEnv = process.env): InventoryConfig =>
  loadConfig(inventoryConfigSchema, env);
