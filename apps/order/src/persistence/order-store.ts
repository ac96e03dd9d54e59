import { Injectable } from '@nestjs/common';
import { summarizeOrderView, type OrderViewSummary } from '@saga/events';
import type { DeciderStore } from '@saga/inbox';
import { Outbox } from '@saga/outbox';
import { afterCommit, Clock } from '@saga/platform';
import { sagaSeconds } from '@saga/runtime';
import { DataSource, type EntityManager } from 'typeorm';
import { isTerminal, type Order, type OrderContext, type OrderInput } from '../domain/order.js';
import { OrderEntity } from './order.entity.js';
import { snapshotRecord, tombstoneRecord } from './order-snapshots.js';

/** What a write did to an order: it is now at `version`, or it was erased (and whose it was). */
export type OrderWritten = { orderId: string; version: number } | { orderId: string; erased: true; customerId: string };

/** Runs inside the transaction of every write to an order, after the write: commits with it, or not at all. */
export type OrderWriteHook = (transaction: EntityManager, written: OrderWritten) => Promise<void>;

/**
 * Where the order service keeps its orders: each decision's order and its new snapshot are saved in the
 * transaction of the decision, with its events (the outbox's half of the bargain). The snapshot goes first, so a
 * service never sees an order's event before its snapshot.
 * Write hooks run in the same transaction (the live page's NOTIFY, in live/), so what they do commits with it.
 */
@Injectable()
export class OrderStore implements DeciderStore<Order | null, OrderInput, OrderContext> {
  private readonly writeHooks: OrderWriteHook[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Runs `hook` inside every later write to an order. */
  onWrite(hook: OrderWriteHook): void {
    this.writeHooks.push(hook);
  }

  /**
   * Inside `transaction`: claims an idempotency key for `response`. When the key is already there (a retried
   * request), returns what was stored with it, and the caller creates nothing. A second request with the same key
   * waits here for the first one's transaction, so the two cannot both create.
   */
  async claimIdempotencyKey<R extends object>(
    transaction: EntityManager,
    { key, fingerprint }: { key: string; fingerprint: string },
    response: R,
  ): Promise<{ response: R; fingerprint: string } | null> {
    const claimed: unknown[] = await transaction.query(
      `INSERT INTO idempotency_keys (key, fingerprint, response) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, fingerprint, JSON.stringify(response)],
    );
    if (claimed.length === 1) return null;
    const [first]: { fingerprint: string; response: R }[] = await transaction.query(
      `SELECT fingerprint, response FROM idempotency_keys WHERE key = $1`,
      [key],
    );
    return first!;
  }

  /** Forgets idempotency keys older than `retentionMs`: a retry after that places a new order. Returns how many. */
  async forgetIdempotencyKeysOlderThan(retentionMs: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [retentionMs],
    );
    return deleted;
  }

  /** The order of `input`, locked against concurrent changes for the rest of `transaction` (`initial` when none). */
  async load(transaction: EntityManager, input: OrderInput, initial: Order | null) {
    const found = await transaction.findOne(OrderEntity, {
      where: { id: input.orderId },
      lock: { mode: 'pessimistic_write' },
    });
    return { state: found ?? initial, context: { now: this.clock.now() } };
  }

  /** Saves the order and enqueues its new snapshot, before the events of the same decision (the runner's). */
  async save(transaction: EntityManager, order: Order | null, before: Order | null): Promise<void> {
    if (!order) return;
    await (before ? transaction.save(OrderEntity, order) : transaction.insert(OrderEntity, order));
    await this.outbox.enqueueRecords(transaction, [snapshotRecord(order)]);
    await this.written(transaction, { orderId: order.id, version: order.version });
    if (before && !isTerminal(before) && isTerminal(order)) {
      const labels = { outcome: order.status.toLowerCase(), reason: order.reason ?? '' };
      const seconds = (order.updatedAt.getTime() - order.placedAt.getTime()) / 1000;
      afterCommit(transaction, () => sagaSeconds.observe(labels, seconds));
    }
  }

  find(id: string): Promise<Order | null> {
    return this.dataSource.getRepository(OrderEntity).findOneBy({ id });
  }

  /**
   * Publishes every order's current snapshot again, through the outbox, `batchSize` orders per transaction. Each
   * order is locked while its snapshot is read and enqueued, so a change committing meanwhile publishes its newer
   * snapshot after this one. Views ignore a snapshot whose version they hold already. Returns how many.
   */
  async republishSnapshots(batchSize = 500): Promise<number> {
    let republished = 0;
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const orders = await this.dataSource.transaction(async (transaction) => {
        const batch = await transaction
          .createQueryBuilder(OrderEntity, 'o')
          .where('o.id > :after', { after })
          .orderBy('o.id')
          .limit(batchSize)
          .setLock('pessimistic_read')
          .getMany();
        await this.outbox.enqueueRecords(transaction, batch.map(snapshotRecord));
        return batch;
      });
      republished += orders.length;
      if (orders.length < batchSize) return republished;
      after = orders[orders.length - 1]!.id;
    }
  }

  /** Count and checksum of every order: what each service's order view should hold once it has caught up. */
  async summary(): Promise<OrderViewSummary> {
    const rows: { id: string; status: string; version: number }[] = await this.dataSource.query(
      `SELECT id, status, version FROM orders`,
    );
    return summarizeOrderView(rows.map((row) => ({ orderId: row.id, status: row.status, version: row.version })));
  }

  /** Newest first; only `customerId`'s when named. */
  async list(limit: number, offset: number, customerId?: string): Promise<{ orders: Order[]; total: number }> {
    const [orders, total] = await this.dataSource.getRepository(OrderEntity).findAndCount({
      where: customerId === undefined ? {} : { customerId },
      order: { placedAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { orders, total };
  }

  /** Ids of running orders placed before `placedBefore`, locked for `transaction`; rows others hold are skipped. */
  async lockOverdue(transaction: EntityManager, placedBefore: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await transaction.query(OVERDUE_ORDERS, [placedBefore, limit]);
    return rows.map((row) => row.id);
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
      await this.written(transaction, { orderId: id, erased: true, customerId: order.customerId });
      return { order, erased: true };
    });
  }

  private async written(transaction: EntityManager, written: OrderWritten): Promise<void> {
    for (const hook of this.writeHooks) await hook(transaction, written);
  }
}

/** The running orders placed before $1, oldest first, $2 at most; through the index of running orders. */
export const OVERDUE_ORDERS = `SELECT id FROM orders WHERE status NOT IN ('COMPLETED', 'CANCELLED') AND placed_at < $1
       ORDER BY placed_at LIMIT $2 FOR UPDATE SKIP LOCKED`;
