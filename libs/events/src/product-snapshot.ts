/**
 * The state record of the compacted `products` topic: a product as inventory sells it now, keyed by SKU.
 *
 * The price of a SKU belongs to the service that owns the SKU, inventory; the order service keeps its own view of
 * this topic and prices every order line from it, so no client names a price. It is the pattern of `orders`
 * again: a snapshot says what is, compaction keeps the newest of each key, and a tombstone (a null value) says the
 * product is no longer sold.
 */
import { z } from 'zod';
import { describeIssues, parseJson } from './parse-event.js';

/** The record type, in the `record-type` header. */
export const PRODUCT_SNAPSHOT = 'ProductSnapshot';

export const skuSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-"');

export const productSnapshotSchema = z.object({
  sku: skuSchema,
  name: z.string().trim().min(1).max(200),
  /** What one unit costs now. An order placed at this price keeps it, whatever the price becomes later. */
  priceCents: z.number().int().positive().max(100_000_000),
  /** 1 when first priced, plus one at every change. A view ignores a snapshot older than the one it holds. */
  version: z.number().int().positive(),
  updatedAt: z.iso.datetime({ offset: true }),
});

export type ProductSnapshot = z.infer<typeof productSnapshotSchema>;

export type ParsedProduct =
  | { ok: true; sku: string; product: ProductSnapshot }
  | { ok: true; sku: string; product: null }
  | { ok: false; reason: string };

/** Bytes from `products` to a snapshot, a tombstone (`product: null`), or a reason to reject the record. */
export function parseProductSnapshot(value: Buffer | string | null, key: Buffer | string | null): ParsedProduct {
  const sku = key?.toString() ?? '';
  if (!skuSchema.safeParse(sku).success) return { ok: false, reason: `record key "${sku}" is not a SKU` };
  if (value === null) return { ok: true, sku, product: null };

  const json = parseJson(value);
  if (!json.ok) return json;
  const parsed = productSnapshotSchema.safeParse(json.json);
  if (!parsed.success) {
    return { ok: false, reason: `invalid product snapshot: ${describeIssues('snapshot', parsed.error)}` };
  }
  if (parsed.data.sku !== sku)
    return { ok: false, reason: `record key "${sku}" differs from sku "${parsed.data.sku}"` };
  return { ok: true, sku, product: parsed.data };
}
