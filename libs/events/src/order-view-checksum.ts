/**
 * One summary of "the orders a service knows", computed the same way by all four services, so a user can compare
 * them at a glance: equal checksums mean the same orders, in the same status, at the same snapshot version.
 */
import { createHash } from 'node:crypto';

export type OrderViewEntry = { readonly orderId: string; readonly status: string; readonly version: number };

export type OrderViewSummary = { readonly count: number; readonly checksum: string };

/** SHA-256 over one `id status version` line per order, in order id order; independent of the input's order. */
export function summarizeOrderView(entries: Iterable<OrderViewEntry>): OrderViewSummary {
  const lines = [...entries].map(({ orderId, status, version }) => `${orderId} ${status} ${version}\n`).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return { count: lines.length, checksum: hash.digest('hex') };
}
