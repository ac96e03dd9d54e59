/**
 * Inventory owns the products it sells and their prices. A change is saved, and the product's new snapshot
 * enqueued for the compacted `products` topic, in one transaction (the outbox): the order service's view of the
 * prices never misses a change, and never sees one that was rolled back. Setting what a product already is
 * changes nothing and publishes nothing, so the demo seed can run at every start.
 */
import { Injectable } from '@nestjs/common';
import { PRODUCT_SNAPSHOT, Topics, type ProductSnapshot } from '@saga/events';
import { Outbox, type OutboxRecord } from '@saga/outbox';
import { Clock } from '@saga/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

type ProductRow = { sku: string; name: string; price_cents: number; version: number; updated_at: Date };

const productOf = (row: ProductRow): ProductSnapshot => ({
  sku: row.sku,
  name: row.name,
  priceCents: row.price_cents,
  version: row.version,
  updatedAt: row.updated_at.toISOString(),
});

const COLUMNS = 'sku, name, price_cents, version, updated_at';

const productRecord = (sku: string, product: ProductSnapshot | null): OutboxRecord => ({
  id: randomUUID(),
  topic: Topics.products,
  key: sku,
  type: PRODUCT_SNAPSHOT,
  payload: product,
  ...(product && { headers: { 'snapshot-version': String(product.version) } }),
});

@Injectable()
export class ProductStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  async find(sku: string): Promise<ProductSnapshot | null> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM products WHERE sku = $1 AND NOT withdrawn`, [
      sku,
    ])) as ProductRow[];
    return row ? productOf(row) : null;
  }

  /**
   * Whether the product's newest change has reached the `products` topic: the outbox holds no unsent row for it.
   * A client that must know the order service can hear of a change (the demo seed, before the first order) waits
   * for this; the rest of the way, from the topic to the order service's view, takes it a moment more.
   */
  async isPublished(sku: string): Promise<boolean> {
    const [pending] = (await this.dataSource.query(
      `SELECT 1 FROM outbox WHERE topic = $1 AND message_key = $2 AND published_at IS NULL LIMIT 1`,
      [Topics.products, sku],
    )) as unknown[];
    return pending === undefined;
  }

  async list(): Promise<ProductSnapshot[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM products WHERE NOT withdrawn ORDER BY sku`,
    )) as ProductRow[];
    return rows.map(productOf);
  }

  /**
   * Sets a product's name and price (selling it again, if it was withdrawn); a change gets the next version and
   * goes out on `products`.
   */
  async set(sku: string, { name, priceCents }: { name: string; priceCents: number }): Promise<ProductSnapshot> {
    return this.dataSource.transaction(async (transaction) => {
      // One statement, so that two first settings of a SKU cannot both become version 1.
      const [changed] = (await transaction.query(
        `INSERT INTO products AS p (sku, name, price_cents, version, updated_at, withdrawn)
         VALUES ($1, $2, $3, 1, $4, false)
         ON CONFLICT (sku) DO UPDATE
           SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, version = p.version + 1,
               updated_at = EXCLUDED.updated_at, withdrawn = false
           WHERE (p.name, p.price_cents, p.withdrawn) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.price_cents, false)
         RETURNING ${COLUMNS}`,
        [sku, name, priceCents, this.clock.now()],
      )) as ProductRow[];
      if (!changed) return (await this.find(sku))!;
      const product = productOf(changed);
      await this.outbox.enqueueRecords(transaction, [productRecord(sku, product)]);
      return product;
    });
  }

  /**
   * Stops selling a product: a tombstone on `products` removes it from the order service's view. The row stays,
   * withdrawn, and keeps counting versions: sold again, the product comes back at a version above any the view
   * may still hold (a view that missed the tombstone would otherwise keep its old price over a new version 1).
   */
  async withdraw(sku: string): Promise<boolean> {
    return this.dataSource.transaction(async (transaction) => {
      const [, withdrawn] = (await transaction.query(
        `UPDATE products SET withdrawn = true, version = version + 1, updated_at = $2 WHERE sku = $1 AND NOT withdrawn`,
        [sku, this.clock.now()],
      )) as [unknown, number];
      if (withdrawn === 0) return false;
      await this.outbox.enqueueRecords(transaction, [productRecord(sku, null)]);
      return true;
    });
  }
}
