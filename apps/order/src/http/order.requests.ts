import { orderItemSchema, shippingAddressSchema, skuSchema } from '@saga/events';
import { z } from 'zod';

/** Says why, when the unknown field is the customer: older clients sent it, and must learn where it went. */
const noCustomerInTheBody = (issue: { code?: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' && issue.keys?.includes('customerId')
    ? 'customerId may not be set: the customer is the one the bearer token names'
    : undefined;

/** ...and when it is a price: the order service charges inventory's price, whatever a client would like to pay. */
const noPriceInTheBody = (issue: { code?: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' && issue.keys?.includes('unitPriceCents')
    ? 'unitPriceCents may not be set: an order line is charged the price inventory sells the SKU at'
    : undefined;

/** A line of `POST /orders`: a SKU and how many. */
const orderLine = z.strictObject(
  { sku: skuSchema, quantity: orderItemSchema.shape.quantity },
  { error: noPriceInTheBody },
);

/**
 * `POST /orders`. Strict: an unknown field is an error, not silently dropped. The customer is the caller (the
 * token's subject), and the prices are inventory's: a body that names either is refused.
 */
export const placeOrderRequest = z.strictObject(
  {
    items: z
      .array(orderLine)
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
