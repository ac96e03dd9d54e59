/**
 * The order service's copy of the products inventory sells, and the one place an order line gets its price.
 * Prices belong to inventory, which owns the SKUs; the order service keeps this view of the compacted `products`
 * topic (product-view.projector.ts) so that pricing an order asks no other service, which may be down, and no
 * client, which would name any price.
 */
import { Injectable } from '@nestjs/common';
import type { OrderItem, ProductSnapshot } from '@saga/events';
import { DataSource, type EntityManager } from 'typeorm';

/** A snapshot that replaces an older version of its SKU, or a tombstone (`product: null`) that removes it. */
export type ProductChange = { readonly sku: string; readonly product: ProductSnapshot | null };

type Row = { sku: string; name: string; price_cents: number; version: number; updated_at: Date };
const COLUMNS = 'sku, name, price_cents, version, updated_at';
const productOf = (row: Row): ProductSnapshot => ({
  sku: row.sku,
  name: row.name,
  priceCents: row.price_cents,
  version: row.version,
  updatedAt: row.updated_at.toISOString(),
});

/** Some lines name SKUs the view does not hold: not sold (or, while the view is still loading, not known yet). */
export class UnknownProducts extends Error {
  override readonly name = 'UnknownProducts';
  constructor(readonly skus: readonly string[]) {
    super(`no product ${skus.map((sku) => `"${sku}"`).join(', ')} is sold`);
  }
}

@Injectable()
export class ProductView {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies one batch of `products`, in its order, in one transaction. A snapshot replaces an older version only,
   * so replaying the topic after a crash changes nothing; a tombstone removes the SKU, whatever its version.
   */
  async apply(changes: readonly ProductChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.dataSource.transaction(async (transaction) => {
      for (const { sku, product } of changes) {
        if (!product) {
          await transaction.query(`DELETE FROM product_view WHERE sku = $1`, [sku]);
          continue;
        }
        await transaction.query(
          `INSERT INTO product_view AS v (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (sku) DO UPDATE
             SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, version = EXCLUDED.version,
                 updated_at = EXCLUDED.updated_at
             WHERE v.version < EXCLUDED.version`,
          [sku, product.name, product.priceCents, product.version, product.updatedAt],
        );
      }
    });
  }

  /**
   * The lines with the prices they are sold at now, read in the caller's transaction (the one that places the
   * order): the order keeps these prices, whatever inventory charges later.
   * @throws UnknownProducts naming every SKU the view does not hold
   */
  async price(transaction: EntityManager, lines: readonly { sku: string; quantity: number }[]): Promise<OrderItem[]> {
    const rows = (await transaction.query(`SELECT sku, price_cents FROM product_view WHERE sku = ANY($1)`, [
      lines.map((line) => line.sku),
    ])) as Pick<Row, 'sku' | 'price_cents'>[];
    const prices = new Map(rows.map((row) => [row.sku, row.price_cents]));
    const unknown = lines.filter((line) => !prices.has(line.sku)).map((line) => line.sku);
    if (unknown.length > 0) throw new UnknownProducts(unknown);
    return lines.map(({ sku, quantity }) => ({ sku, quantity, unitPriceCents: prices.get(sku)! }));
  }

  async find(sku: string): Promise<ProductSnapshot | null> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM product_view WHERE sku = $1`, [sku])) as Row[];
    return row ? productOf(row) : null;
  }

  async list(): Promise<ProductSnapshot[]> {
    return ((await this.dataSource.query(`SELECT ${COLUMNS} FROM product_view ORDER BY sku`)) as Row[]).map(productOf);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.dataSource.query(`SELECT 1 FROM product_view LIMIT 1`)).length === 0;
  }
}
