import { z } from 'zod';
import { availableCredit, type CreditAccount, type Payment } from '../domain/payment.js';

/**
 * What the payment API answers, as zod schemas: the OpenAPI document describes the responses with them, and the
 * types tie them to the code that builds the answers.
 */
export const creditResponse = z.object({
  customerId: z.uuid(),
  limitCents: z.number().int().nonnegative(),
  /** The limit, less what running and completed orders hold. */
  availableCents: z.number().int(),
});

export const paymentResponse = z.object({
  orderId: z.uuid(),
  /** Null until the order was seen placed (a cancellation can arrive first). */
  customerId: z.uuid().nullable(),
  amountCents: z.number().int().nonnegative(),
  status: z.enum(['NONE', 'AUTHORIZED', 'DECLINED', 'REFUNDED']),
  declineReason: z.string().nullable(),
  /** The order was cancelled: nothing may be charged any more. */
  cancelled: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

export const presentCredit = (account: CreditAccount): z.output<typeof creditResponse> => ({
  customerId: account.customerId,
  limitCents: account.limitCents,
  availableCents: availableCredit(account),
});

export const presentPayment = (payment: Payment): z.output<typeof paymentResponse> => ({
  orderId: payment.orderId,
  customerId: payment.customerId,
  amountCents: payment.amountCents,
  status: payment.status,
  declineReason: payment.declineReason,
  cancelled: payment.cancelled,
  createdAt: payment.createdAt.toISOString(),
  updatedAt: payment.updatedAt.toISOString(),
});
