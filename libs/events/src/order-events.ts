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

export type OrderEvent = OrderPlaced;

export const orderPlacedData = z.object({
  customerId: z.uuid(),
  items: z.array(orderItemSchema).min(1),
  totalCents: z.number().int().nonnegative(),
  shippingAddress: shippingAddressSchema,
}) satisfies z.ZodType<OrderPlaced['data']>;
