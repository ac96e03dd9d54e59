import { Injectable } from '@nestjs/common';
import { summarizeOrderView, type OrderViewSummary } from '@saga/events';
import { Outbox } from '@saga/outbox';
import { DataSource, type EntityManager } from 'typeorm';
import type { Decision, Order } from '../domain/order.js';
import { OrderEntity } from './order.entity.js';
import { snapshotRecord, tombstoneRecord } from './order-snapshots.js';

/** What a write did to an order: it is now at `version`, or it was erased. */
export type OrderWritten = { orderId: string; version: number } | { orderId: string; erased: true };

/** Runs inside the transaction of every write to an order, after the write: commits with it, or not at all. */
export type OrderWriteHook = (transaction: EntityManager, written: OrderWritten) => Promise<void>;

/**
 * Saves an order, the events of the same decision and the order's new snapshot in one transaction: the outbox's
 * half of the bargain. The snapshot goes first, so a service never sees an order's event before its snapshot.
 * Write hooks run in the same transaction (the live page's NOTIFY, in live/), so what they do commits with it.
 */
@Injectable()
export class OrderStore {
  private readonly writeHooks: OrderWriteHook[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** Runs `hook` inside every later write to an order. */
  onWrite(hook: OrderWriteHook): void {
    this.writeHooks.push(hook);
  }

  /**
   * Stores a new order. With an idempotency key, stores the key with the response in the same transaction; when
   * the key is already there (a retried request), creates nothing and returns what was stored then. A second
   * request with the same key waits here for the first one's transaction, so the two cannot both create.
   */
  async create<R extends object>(
    decision: Decision,
    response: R,
    idempotency?: { key: string; fingerprint: string },
  ): Promise<{ created: true; response: R } | { created: false; response: R; fingerprint: string }> {
    return this.dataSource.transaction(async (transaction) => {
      if (idempotency) {
        const claimed: unknown[] = await transaction.query(
          `INSERT INTO idempotency_keys (key, fingerprint, response) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [idempotency.key, idempotency.fingerprint, JSON.stringify(response)],
        );
        if (claimed.length === 0) {
          const [first]: { fingerprint: string; response: R }[] = await transaction.query(
            `SELECT fingerprint, response FROM idempotency_keys WHERE key = $1`,
            [idempotency.key],
          );
          return { created: false as const, response: first!.response, fingerprint: first!.fingerprint };
        }
      }
      await transaction.insert(OrderEntity, decision.order);
      await this.publish(transaction, decision);
      return { created: true as const, response };
    });
  }

  find(id: string): Promise<Order | null> {
    return this.dataSource.getRepository(OrderEntity).findOneBy({ id });
  }

  /** Count and checksum of every order: what each service's order view should hold once it has caught up. */
  async summary(): Promise<OrderViewSummary> {
    const rows: { id: string; status: string; version: number }[] = await this.dataSource.query(
      `SELECT id, status, version FROM orders`,
    );
    return summarizeOrderView(rows.map((row) => ({ orderId: row.id, status: row.status, version: row.version })));
  }

  /** Newest first. */
  async list(limit: number, offset: number): Promise<{ orders: Order[]; total: number }> {
    const [orders, total] = await this.dataSource
      .getRepository(OrderEntity)
      .findAndCount({ order: { placedAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
    return { orders, total };
  }

  /** Ids of running orders placed before `placedBefore`, locked for `transaction`; rows others hold are skipped. */
  async lockOverdue(transaction: EntityManager, placedBefore: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await transaction.query(
      `SELECT id FROM orders WHERE status NOT IN ('COMPLETED', 'CANCELLED') AND placed_at < $1
       ORDER BY placed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [placedBefore, limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Inside `transaction`: loads the order, locked against concurrent changes, lets `decide` produce the next
   * state, and saves it with its events. Returns null when there is no such order.
   */
  async update(transaction: EntityManager, id: string, decide: (order: Order) => Decision): Promise<Decision | null> {
    const order = await transaction.findOne(OrderEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!order) return null;
    const decision = decide(order);
    if (decision.changed) {
      await transaction.save(OrderEntity, decision.order);
      await this.publish(transaction, decision);
    }
    return decision;
  }

  /**
   * Erases an order (a customer's erasure request): deletes it and publishes a tombstone, so every view drops it.
   * Only an ended order can go: a running saga still needs it. Returns the order as it was, or null if unknown.
   */
  async erase(id: string, canErase: (order: Order) => boolean): Promise<{ order: Order; erased: boolean } | null> {
    return this.dataSource.transaction(async (transaction) => {
      const order = await transaction.findOne(OrderEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!order) return null;
      if (!canErase(order)) return { order, erased: false };
      await transaction.delete(OrderEntity, { id });
      await this.outbox.enqueueRecords(transaction, [tombstoneRecord(id)]);
      await this.written(transaction, { orderId: id, erased: true });
      return { order, erased: true };
    });
  }

  private async publish(transaction: EntityManager, { order, events }: Decision): Promise<void> {
    await this.outbox.enqueueRecords(transaction, [snapshotRecord(order)]);
    await this.outbox.enqueue(transaction, ...events);
    await this.written(transaction, { orderId: order.id, version: order.version });
  }

  private async written(transaction: EntityManager, written: OrderWritten): Promise<void> {
    for (const hook of this.writeHooks) await hook(transaction, written);
  }
}
