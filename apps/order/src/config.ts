import { loadConfig, portVariable, serviceConfigSchema } from '@saga/platform';
import { z } from 'zod';

export const orderConfigSchema = serviceConfigSchema.extend({
  PORT: portVariable(3001),
  /** An order still running this long after it was placed is cancelled with TIMED_OUT. */
  ORDER_DEADLINE_MS: z.coerce.number().int().positive().default(60_000),
  /** How often overdue orders are looked for. */
  ORDER_DEADLINE_CHECK_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * How long the answer to a POST /orders is kept for its Idempotency-Key. A client retries within seconds or
   * minutes; after this, the same key places a new order.
   */
  ORDER_IDEMPOTENCY_KEY_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(24 * 60 * 60_000),
  /**
   * A trace viewer's address as a browser reaches it (Jaeger's UI: compose sets http://localhost:16686). The live
   * page then links each order to its traces, when the viewer answers. Unset: no links.
   */
  TRACE_VIEWER_URL: z.url().optional(),
  /** Live streams (GET /orders/stream) one instance serves at once; each holds a connection open. */
  ORDER_STREAM_MAX_CLIENTS: z.coerce.number().int().min(1).max(10_000).default(200),
});

export type OrderConfig = z.output<typeof orderConfigSchema>;

export const ORDER_CONFIG = Symbol('ORDER_CONFIG');

export const loadOrderConfig = (env: NodeJS.ProcessEnv = process.env): OrderConfig =>
  loadConfig(orderConfigSchema, env);
