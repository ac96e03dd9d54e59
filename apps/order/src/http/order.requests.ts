import { orderItemSchema, shippingAddressSchema } from '@saga/events';
import { z } from 'zod';

/** Says why, when the unknown field is the customer: older clients sent it, and must learn where it went. */
const noCustomerInTheBody = (issue: { code?: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' && issue.keys?.includes('customerId')
    ? 'customerId may not be set: the customer is the one the bearer token names'
    : undefined;

/**
 * `POST /orders`. Strict: an unknown field is an error, not silently dropped. The customer is the caller (the
 * token's subject): a body that names one is refused.
 */
export const placeOrderRequest = z.strictObject(
  {
    items: z
      .array(orderItemSchema.strict())
      .min(1, 'an order needs at least one item')
      .max(100)
      .superRefine((items, context) => {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.sku)) {
            context.addIssue({ code: 'custom', path: [index, 'sku'], message: `duplicate SKU "${item.sku}"` });
          }
          seen.add(item.sku);
        });
      }),
    shippingAddress: shippingAddressSchema.strict(),
  },
  { error: noCustomerInTheBody },
);

export type PlaceOrderRequest = z.output<typeof placeOrderRequest>;

/** The `Idempotency-Key` header of `POST /orders`: optional; printable ASCII, at most 255 characters. */
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters, without spaces')
  .optional();

/** `GET /orders?limit=&offset=` */
export const listOrdersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export type ListOrdersQuery = z.output<typeof listOrdersQuery>;
