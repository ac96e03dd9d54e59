import { Injectable } from '@nestjs/common';
import { summarizeOrderView, type OrderSnapshot, type OrderViewSummary } from '@saga/events';
import { DataSource, type EntityManager } from 'typeorm';

/** What one record of `orders` says about its key: here is the order now, or (null) the order is gone. */
export type ViewChange = { readonly orderId: string; readonly snapshot: OrderSnapshot | null };

/** The `order_view` table. Only the projector writes it; handlers read it inside their own transaction. */
@Injectable()
export class OrderViewStore {
  constructor(private readonly dataSource: DataSource) {}

  async find(transaction: EntityManager, orderId: string): Promise<OrderSnapshot | null> {
    const rows: { snapshot: OrderSnapshot }[] = await transaction.query(
      `SELECT snapshot FROM order_view WHERE order_id = $1`,
      [orderId],
    );
    return rows[0]?.snapshot ?? null;
  }

  /**
   * Applies the records of one batch of one partition, in one transaction. For each key only its last record
   * counts (a partition holds one key's records in order); a snapshot replaces the row only when its version is
   * newer, so a redelivered or stale snapshot changes nothing; a tombstone deletes the row.
   */
  async apply(changes: readonly ViewChange[]): Promise<void> {
    const latest = new Map<string, OrderSnapshot | null>();
    for (const { orderId, snapshot } of changes) {
      latest.delete(orderId); // keep Map order = order of last appearance
      latest.set(orderId, snapshot);
    }
    const snapshots = [...latest.values()].filter((snapshot): snapshot is OrderSnapshot => snapshot !== null);
    const erased = [...latest].filter(([, snapshot]) => snapshot === null).map(([orderId]) => orderId);

    await this.dataSource.transaction(async (transaction) => {
      if (snapshots.length > 0) {
        await transaction.query(
          `INSERT INTO order_view (order_id, version, status, customer_id, snapshot)
           SELECT * FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::uuid[], $5::jsonb[])
           ON CONFLICT (order_id) DO UPDATE
             SET version = EXCLUDED.version, status = EXCLUDED.status, customer_id = EXCLUDED.customer_id,
                 snapshot = EXCLUDED.snapshot, applied_at = now()
             WHERE order_view.version < EXCLUDED.version`,
          [
            snapshots.map((snapshot) => snapshot.orderId),
            snapshots.map((snapshot) => snapshot.version),
            snapshots.map((snapshot) => snapshot.status),
            snapshots.map((snapshot) => snapshot.customerId),
            snapshots.map((snapshot) => JSON.stringify(snapshot)),
          ],
        );
      }
      if (erased.length > 0) {
        await transaction.query(`DELETE FROM order_view WHERE order_id = ANY($1::uuid[])`, [erased]);
      }
    });
  }

  async isEmpty(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM order_view LIMIT 1`);
    return rows.length === 0;
  }

  async clear(): Promise<void> {
    await this.dataSource.query(`TRUNCATE order_view`);
  }

  async summary(): Promise<OrderViewSummary> {
    const rows: { order_id: string; status: string; version: number }[] = await this.dataSource.query(
      `SELECT order_id, status, version FROM order_view`,
    );
    return summarizeOrderView(rows.map((row) => ({ orderId: row.order_id, status: row.status, version: row.version })));
  }
}
