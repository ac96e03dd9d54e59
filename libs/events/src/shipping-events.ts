import { z } from 'zod';
import type { Event } from './envelope.js';

export type ShipmentScheduled = Event<'ShipmentScheduled', { shipmentId: string; country: string }>;
export type ShipmentFailed = Event<'ShipmentFailed', { country: string; reason: string }>;
/** Compensation: a scheduled shipment is called off. */
export type ShipmentCancelled = Event<'ShipmentCancelled', { shipmentId: string }>;

export type ShippingEvent = ShipmentScheduled | ShipmentFailed | ShipmentCancelled;

export const shipmentScheduledData = z.object({
  shipmentId: z.uuid(),
  country: z.string().length(2),
}) satisfies z.ZodType<ShipmentScheduled['data']>;

export const shipmentFailedData = z.object({
  country: z.string().length(2),
  reason: z.string().min(1),
}) satisfies z.ZodType<ShipmentFailed['data']>;

export const shipmentCancelledData = z.object({ shipmentId: z.uuid() }) satisfies z.ZodType<ShipmentCancelled['data']>;
