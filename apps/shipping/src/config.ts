import { loadConfig, portVariable, serviceConfigSchema } from '@saga/platform';
import { z } from 'zod';

export const shippingConfigSchema = serviceConfigSchema.extend({
  PORT: portVariable(3004),
  /** ISO 3166-1 alpha-2 codes, comma-separated: where shipments can go. */
  SHIPPING_SUPPORTED_COUNTRIES: z
    .string()
    .default('US,CA,GB,IE,FR,DE,NL,BE,ES,IT')
    .transform((value) =>
      value
        .split(',')
        .map((code) => code.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'each must be an ISO 3166-1 alpha-2 code such as "US"')))
    .transform((codes) => new Set(codes)),
});

export type ShippingConfig = z.output<typeof shippingConfigSchema>;

export const SHIPPING_CONFIG = Symbol('SHIPPING_CONFIG');

export const loadShippingConfig = (env: NodeJS.ProcessEnv = process.env): ShippingConfig =>
  loadConfig(shippingConfigSchema, env);
