/**
 * The order service's view of the products, against a real Postgres: it prices an order's lines as inventory sells
 * them, a replayed older snapshot changes nothing (the topic is read again from offset 0 after a crash), a
 * tombstone withdraws a product, and a line naming a SKU the view does not hold is refused, naming it.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { ProductSnapshot } from '@saga/events';
import { inboxMigrations } from '@saga/inbox';
import { outboxMigrations } from '@saga/outbox';
import { createDatabase, dropDatabase, testInfrastructure } from '@saga/testing';
import { DataSource } from 'typeorm';
import { orderMigrations } from '../persistence/migrations/index.js';
import { ProductView, UnknownProducts } from './product-view.js';

let databaseUrl: string;
let dataSource: DataSource;
let view: ProductView;

beforeAll(async () => {
  databaseUrl = await createDatabase(testInfrastructure().postgresUrl, 'order_product_view_it');
  dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations: [...outboxMigrations, ...inboxMigrations, ...orderMigrations],
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  view = new ProductView(dataSource);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE product_view');
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

const product = (sku: string, priceCents: number, version: number): ProductSnapshot => ({
  sku,
  name: `Product ${sku}`,
  priceCents,
  version,
  updatedAt: '2026-12-01T10:00:00.000Z',
});

const priced = (lines: { sku: string; quantity: number }[]) =>
  dataSource.transaction((transaction) => view.price(transaction, lines));

it("prices each line at its product's price", async () => {
  await view.apply([
    { sku: 'BOOK-1', product: product('BOOK-1', 1500, 1) },
    { sku: 'MUG-1', product: product('MUG-1', 900, 1) },
  ]);

  expect(
    await priced([
      { sku: 'MUG-1', quantity: 2 },
      { sku: 'BOOK-1', quantity: 1 },
    ]),
  ).toEqual([
    { sku: 'MUG-1', quantity: 2, unitPriceCents: 900 },
    { sku: 'BOOK-1', quantity: 1, unitPriceCents: 1500 },
  ]);
});

it('keeps the newest version: an older snapshot, replayed or late, changes nothing', async () => {
  await view.apply([{ sku: 'BOOK-1', product: product('BOOK-1', 1500, 1) }]);
  await view.apply([{ sku: 'BOOK-1', product: product('BOOK-1', 1800, 3) }]);

  await view.apply([
    { sku: 'BOOK-1', product: product('BOOK-1', 1500, 1) },
    { sku: 'BOOK-1', product: product('BOOK-1', 1700, 2) },
  ]);

  expect(await view.find('BOOK-1')).toMatchObject({ priceCents: 1800, version: 3 });
});

it('forgets a withdrawn product (a tombstone), and a line naming it is refused', async () => {
  await view.apply([{ sku: 'LAMP-1', product: product('LAMP-1', 1500, 4) }]);

  await view.apply([{ sku: 'LAMP-1', product: null }]);

  expect(await view.find('LAMP-1')).toBeNull();
  await expect(priced([{ sku: 'LAMP-1', quantity: 1 }])).rejects.toThrow(UnknownProducts);
});

it('names every SKU it does not hold', async () => {
  await view.apply([{ sku: 'BOOK-1', product: product('BOOK-1', 1500, 1) }]);

  const refusal = priced([
    { sku: 'BOOK-1', quantity: 1 },
    { sku: 'NOPE-1', quantity: 1 },
    { sku: 'NOPE-2', quantity: 1 },
  ]);

  await expect(refusal).rejects.toThrow('no product "NOPE-1", "NOPE-2" is sold');
});
