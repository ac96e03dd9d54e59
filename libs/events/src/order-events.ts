import { z } from 'zod';
import type { Event } from './envelope.js';

export const orderItemSchema = z.object({
  sku: z.string().trim().min(1).max(64),
  quantity: z.number().int().positive().max(10_000),
  unitPriceCents: z.number().int().nonnegative().max(100_000_000),
});

export const shippingAddressSchema = z.object({
  name: z.string().trim().min(1).max(200),
  line1: z.string().trim().min(1).max(200),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "US"'),
});

export type OrderItem = z.infer<typeof orderItemSchema>;
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;

export type OrderPlaced = Event<
  'OrderPlaced',
  { customerId: string; items: OrderItem[]; totalCents: number; shippingAddress: ShippingAddress }
>;

/** Why an order ended CANCELLED. Every cancellation publishes OrderCancelled; the others compensate on it. */
export const cancellationReasons = [
  'PAYMENT_DECLINED',
  'OUT_OF_STOCK',
  'SHIPPING_UNAVAILABLE',
  'CUSTOMER_CANCELLED',
  'TIMED_OUT',
] as const;
export type CancellationReason = (typeof cancellationReasons)[number];

export type OrderCompleted = Event<'OrderCompleted', { customerId: string }>;
export type OrderCancelled = Event<'OrderCancelled', { customerId: string; reason: CancellationReason }>;

export type OrderEvent = OrderPlaced | OrderCompleted | OrderCancelled;

export const orderPlacedData = z.object({
  customerId: z.uuid(),
  items: z.array(orderItemSchema).min(1),
  totalCents: z.number().int().nonnegative(),
  shippingAddress: shippingAddressSchema,
}) satisfies z.ZodType<OrderPlaced['data']>;

export const orderCompletedData = z.object({ customerId: z.uuid() }) satisfies z.ZodType<OrderCompleted['data']>;

export const orderCancelledData = z.object({
  customerId: z.uuid(),
  reason: z.enum(cancellationReasons),
}) satisfies z.ZodType<OrderCancelled['data']>;
