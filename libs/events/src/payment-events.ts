import { z } from 'zod';
import type { Event } from './envelope.js';

export type PaymentAuthorized = Event<'PaymentAuthorized', { customerId: string; amountCents: number }>;
export type PaymentDeclined = Event<'PaymentDeclined', { customerId: string; amountCents: number; reason: string }>;

/** Compensation: the credit taken by an authorized payment is given back. */
export type PaymentRefunded = Event<'PaymentRefunded', { customerId: string; amountCents: number }>;

export type PaymentEvent = PaymentAuthorized | PaymentDeclined | PaymentRefunded;

export const paymentAuthorizedData = z.object({
  customerId: z.uuid(),
  amountCents: z.number().int().nonnegative(),
}) satisfies z.ZodType<PaymentAuthorized['data']>;

export const paymentDeclinedData = z.object({
  customerId: z.uuid(),
  amountCents: z.number().int().nonnegative(),
  reason: z.string().min(1),
}) satisfies z.ZodType<PaymentDeclined['data']>;

export const paymentRefundedData = paymentAuthorizedData satisfies z.ZodType<PaymentRefunded['data']>;
