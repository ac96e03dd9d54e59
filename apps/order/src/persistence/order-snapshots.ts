/**
 * The order service's side of the compacted `orders` topic: after every change to an order, its full snapshot
 * goes out through the outbox, in the same transaction as the change; when an order is erased, a tombstone.
 */
import { ORDER_SNAPSHOT, Topics, type OrderSnapshot } from '@saga/events';
import type { OutboxRecord } from '@saga/outbox';
import { randomUUID } from 'node:crypto';
import type { Order } from '../domain/order.js';

export const snapshotOf = (order: Order): OrderSnapshot => ({
  orderId: order.id,
  version: order.version,
  status: order.status,
  reason: order.reason,
  customerId: order.customerId,
  items: order.items,
  totalCents: order.totalCents,
  shippingAddress: order.shippingAddress,
  placedAt: order.placedAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
});

export const snapshotRecord = (order: Order): OutboxRecord => ({
  id: randomUUID(),
  topic: Topics.orders,
  key: order.id,
  type: ORDER_SNAPSHOT,
  payload: snapshotOf(order),
  headers: { 'snapshot-version': String(order.version) },
});

/** Compaction keeps the tombstone for `delete.retention.ms`, so every view sees it, then drops the key. */
export const tombstoneRecord = (orderId: string): OutboxRecord => ({
  id: randomUUID(),
  topic: Topics.orders,
  key: orderId,
  type: ORDER_SNAPSHOT,
  payload: null,
});
