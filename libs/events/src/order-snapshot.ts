/**
 * The state record of the compacted `orders` topic: the whole order as it is now, keyed by order id.
 *
 * Events on `order-events` say what happened; a snapshot says what is. Compaction keeps the newest snapshot of
 * each key, so reading `orders` from offset 0 yields the current state of every order without replaying its
 * history. A null value (a tombstone) says the order is gone, and compaction eventually drops the key entirely.
 */
import { z } from 'zod';
import { cancellationReasons, orderItemSchema, shippingAddressSchema } from './order-events.js';
import { describeIssues, parseJson } from './parse-event.js';

export const orderStatuses = ['PENDING', 'PAYMENT_AUTHORIZED', 'STOCK_RESERVED', 'COMPLETED', 'CANCELLED'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** The record type, in the `record-type` header. */
export const ORDER_SNAPSHOT = 'OrderSnapshot';

export const orderSnapshotSchema = z.object({
  orderId: z.uuid(),
  /** 1 when placed, plus one at every change. A view ignores a snapshot older than the one it holds. */
  version: z.number().int().positive(),
  status: z.enum(orderStatuses),
  reason: z.enum(cancellationReasons).nullable(),
  customerId: z.uuid(),
  items: z.array(orderItemSchema).min(1),
  totalCents: z.number().int().nonnegative(),
  shippingAddress: shippingAddressSchema,
  placedAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

export type OrderSnapshot = z.infer<typeof orderSnapshotSchema>;

export type ParsedSnapshot =
  | { ok: true; orderId: string; snapshot: OrderSnapshot }
  | { ok: true; orderId: string; snapshot: null }
  | { ok: false; reason: string };

/** Bytes from `orders` to a snapshot, a tombstone (`snapshot: null`), or a reason to reject the record. */
export function parseOrderSnapshot(value: Buffer | string | null, key: Buffer | string | null): ParsedSnapshot {
  const orderId = key?.toString() ?? '';
  if (!z.uuid().safeParse(orderId).success) return { ok: false, reason: `record key "${orderId}" is not an order id` };
  if (value === null) return { ok: true, orderId, snapshot: null };

  const json = parseJson(value);
  if (!json.ok) return json;
  const parsed = orderSnapshotSchema.safeParse(json.json);
  if (!parsed.success) {
    return { ok: false, reason: `invalid order snapshot: ${describeIssues('snapshot', parsed.error)}` };
  }
  if (parsed.data.orderId !== orderId) {
    return { ok: false, reason: `record key "${orderId}" differs from orderId "${parsed.data.orderId}"` };
  }
  return { ok: true, orderId, snapshot: parsed.data };
}
