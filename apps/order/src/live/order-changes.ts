/**
 * Change notifications for orders, through Postgres NOTIFY. Every change to an order issues `pg_notify` inside
 * the transaction that makes it, and Postgres delivers a notification only when that transaction commits: a
 * listener never hears of a change that rolled back, and hears of every committed one, whichever order service
 * instance made it (they all share the database). The payload names the order and its version (an erasure, whose
 * order it was), nothing more; listeners read the order itself, so they always show what is committed.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { OrderStore, type OrderWritten } from '../persistence/order-store.js';

/** Channels are per database, and every service has its own, so the name only has to be unique in this one. */
export const ORDER_CHANGES_CHANNEL = 'order_changes';

/** An order was placed or changed (and is now at `version`), or it was erased: what the store wrote. */
export type OrderChange = OrderWritten;

const orderChange: z.ZodType<OrderChange> = z.union([
  z.strictObject({ orderId: z.uuid(), version: z.int().positive() }),
  z.strictObject({ orderId: z.uuid(), erased: z.literal(true), customerId: z.uuid() }),
]);

/** Inside `transaction`: announces `change`, to be delivered when (and only if) the transaction commits. */
export async function notifyOrderChange(transaction: EntityManager, change: OrderChange): Promise<void> {
  if (!transaction.queryRunner?.isTransactionActive) {
    throw new Error('notifyOrderChange needs the EntityManager of an open transaction (dataSource.transaction(...))');
  }
  await transaction.query(`SELECT pg_notify($1, $2)`, [ORDER_CHANGES_CHANNEL, JSON.stringify(change)]);
}

/** The change a notification's payload announces, or undefined when the payload is not one. */
export function parseOrderChange(payload: string | undefined): OrderChange | undefined {
  try {
    const parsed = orderChange.safeParse(JSON.parse(payload ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON
  }
}

/** Makes every write to an order notify its change, in the write's transaction. */
@Injectable()
export class OrderChangeNotifier implements OnModuleInit {
  constructor(private readonly store: OrderStore) {}

  onModuleInit(): void {
    this.store.onWrite(notifyOrderChange);
  }
}
