import { Injectable } from '@nestjs/common';
import { summarizeOrderView, type OrderSnapshot, type OrderViewSummary } from '@saga/events';
import { DataSource, type EntityManager } from 'typeorm';

/** What one record of `orders` says about its key: here is the order now, or (null) the order is gone. */
export type ViewChange = { readonly orderId: string; readonly snapshot: OrderSnapshot | null };

/** What the view knows of one order: its newest snapshot, or that it was erased (the tombstone's marker). */
export type ViewEntry = { readonly erased: false; readonly snapshot: OrderSnapshot } | { readonly erased: true };

/** Per partition of `orders`: the offset of the next record the view has not applied. */
export type ViewPosition = ReadonlyMap<number, bigint>;

/**
 * The `order_view` table, and how far into `orders` it has read (`order_view_position`, written in the same
 * transaction as the rows, so the two never disagree). Only the projector writes; handlers read inside their own
 * transaction.
 */
@Injectable()
export class OrderViewStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * What the view holds for the order, and how far it had read `orders` when it held that, in one statement: the
   * two are committed together, so they are read together (read apart, a batch applied in between would pair an
   * old answer with a new position).
   */
  async find(
    transaction: EntityManager,
    orderId: string,
  ): Promise<{ entry: ViewEntry | null; position: ViewPosition }> {
    const [row]: { snapshot: OrderSnapshot | null; erased: boolean | null; position: Record<string, string> }[] =
      await transaction.query(
        `SELECT v.snapshot, v.erased,
                (SELECT coalesce(jsonb_object_agg(partition, next_offset::text), '{}') FROM order_view_position) AS position
         FROM (SELECT 1) AS one LEFT JOIN order_view v ON v.order_id = $1`,
        [orderId],
      );
    const position = new Map(
      Object.entries(row!.position).map(([partition, next]) => [Number(partition), BigInt(next)]),
    );
    if (row!.erased === null) return { entry: null, position };
    return { entry: row!.erased ? { erased: true } : { erased: false, snapshot: row!.snapshot! }, position };
  }

  /**
   * Applies the records of one batch of one partition, and moves the partition's position to `nextOffset`, in one
   * statement (so one transaction, and one round trip). Per key: a tombstone is final (order ids are never reused), so it wins over any snapshot and
   * leaves a marker that no snapshot replaces; otherwise the highest version wins, here and against the row, so a
   * redelivered or stale snapshot changes nothing.
   */
  async apply(partition: number, nextOffset: bigint, changes: readonly ViewChange[]): Promise<void> {
    const latest = new Map<string, OrderSnapshot | null>();
    for (const { orderId, snapshot } of changes) {
      const known = latest.get(orderId);
      if (known === null) continue; // erased
      if (snapshot === null || known === undefined || snapshot.version > known.version) latest.set(orderId, snapshot);
    }
    const snapshots = [...latest.values()].filter((snapshot): snapshot is OrderSnapshot => snapshot !== null);
    const erased = [...latest].filter(([, snapshot]) => snapshot === null).map(([orderId]) => orderId);

    // One statement, so one round trip, and atomic on its own: the rows and the position move together.
    await this.dataSource.query(
      `WITH applied AS (
         INSERT INTO order_view (order_id, version, status, customer_id, snapshot)
         SELECT * FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::uuid[], $5::jsonb[])
         ON CONFLICT (order_id) DO UPDATE
           SET version = EXCLUDED.version, status = EXCLUDED.status, customer_id = EXCLUDED.customer_id,
               snapshot = EXCLUDED.snapshot, applied_at = now()
           WHERE order_view.version < EXCLUDED.version AND NOT order_view.erased
       ), erased AS (
         INSERT INTO order_view (order_id, version, erased)
         SELECT order_id, 0, true FROM unnest($6::uuid[]) AS order_id
         ON CONFLICT (order_id) DO UPDATE
           SET erased = true, status = NULL, customer_id = NULL, snapshot = NULL, applied_at = now()
       )
       INSERT INTO order_view_position (partition, next_offset) VALUES ($7, $8)
       ON CONFLICT (partition) DO UPDATE
         SET next_offset = GREATEST(order_view_position.next_offset, EXCLUDED.next_offset)`,
      [
        snapshots.map((snapshot) => snapshot.orderId),
        snapshots.map((snapshot) => snapshot.version),
        snapshots.map((snapshot) => snapshot.status),
        snapshots.map((snapshot) => snapshot.customerId),
        snapshots.map((snapshot) => JSON.stringify(snapshot)),
        erased,
        partition,
        nextOffset.toString(),
      ],
    );
  }

  /** The view must be built from the log: it is empty, or a rebuild began and did not get to empty it. */
  async needsRebuild(): Promise<boolean> {
    const [row]: { needed: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM order_view_rebuild) OR NOT EXISTS (SELECT 1 FROM order_view) AS needed`,
    );
    return row!.needed;
  }

  /** Notes that a rebuild has begun; `clear` ends the note, `forgetRebuild` drops it (a rebuild refused). */
  async beginRebuild(reason: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO order_view_rebuild (reason) VALUES ($1) ON CONFLICT (one) DO UPDATE SET reason = EXCLUDED.reason`,
      [reason],
    );
  }

  async forgetRebuild(): Promise<void> {
    await this.dataSource.query(`DELETE FROM order_view_rebuild`);
  }

  /** Empties the view, and with it the note that a rebuild had to. */
  async clear(): Promise<void> {
    await this.dataSource.transaction(async (transaction) => {
      await transaction.query(`TRUNCATE order_view, order_view_position`);
      await transaction.query(`DELETE FROM order_view_rebuild`);
    });
  }

  /** How far the view has read each partition of `orders`, whichever instance of the service applied it. */
  async position(): Promise<ViewPosition> {
    const rows: { partition: number; next_offset: string }[] = await this.dataSource.query(
      `SELECT partition, next_offset FROM order_view_position`,
    );
    return new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
  }

  /** Of the orders that exist: an erased order's marker is not one. */
  async summary(): Promise<OrderViewSummary> {
    const rows: { order_id: string; status: string; version: number }[] = await this.dataSource.query(
      `SELECT order_id, status, version FROM order_view WHERE NOT erased`,
    );
    return summarizeOrderView(rows.map((row) => ({ orderId: row.order_id, status: row.status, version: row.version })));
  }
}
