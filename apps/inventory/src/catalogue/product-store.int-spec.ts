/**
 * Inventory's products, against a real Postgres: a change of name or price gets the next version and its snapshot
 * in the outbox in the same transaction (so the order service's view hears of every change, and of nothing rolled
 * back); setting what a product already is publishes nothing; a withdrawal publishes a tombstone.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { inboxMigrations } from '@saga/inbox';
import { Outbox, outboxMigrations } from '@saga/outbox';
import { SystemClock } from '@saga/platform';
import { createDatabase, dropDatabase, testInfrastructure } from '@saga/testing';
import { DataSource } from 'typeorm';
import { CreateInventory1730000000300 } from '../persistence/migrations/1730000000300-create-inventory.js';
import { CreateProducts1730000002300 } from '../persistence/migrations/1730000002300-create-products.js';
import { ProductStore } from './product-store.js';

let databaseUrl: string;
let dataSource: DataSource;
let products: ProductStore;

beforeAll(async () => {
  databaseUrl = await createDatabase(testInfrastructure().postgresUrl, 'inventory_products_it');
  dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations: [...outboxMigrations, ...inboxMigrations, CreateInventory1730000000300, CreateProducts1730000002300],
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  products = new ProductStore(dataSource, new Outbox(), new SystemClock());
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

/** What the outbox holds for the `products` topic, oldest first: each record's key, and its version or null. */
const published = async () =>
  (
    (await dataSource.query(`SELECT message_key, payload FROM outbox WHERE topic = 'products' ORDER BY id`)) as {
      message_key: string;
      payload: { version: number } | null;
    }[]
  ).map((row) => `${row.message_key} ${row.payload ? `v${row.payload.version}` : 'tombstone'}`);

it('publishes each change of a product at its next version, and nothing for a setting that changes nothing', async () => {
  await products.set('BOOK-1', { name: 'A book', priceCents: 1500 });
  await products.set('BOOK-1', { name: 'A book', priceCents: 1500 }); // the seed, run again
  const changed = await products.set('BOOK-1', { name: 'A book', priceCents: 1800 });

  expect(changed).toMatchObject({ sku: 'BOOK-1', priceCents: 1800, version: 2 });
  expect(await published()).toEqual(['BOOK-1 v1', 'BOOK-1 v2']);
});

it('gives two first settings of one SKU, at the same moment, two versions', async () => {
  await Promise.all([
    products.set('MUG-1', { name: 'A mug', priceCents: 900 }),
    products.set('MUG-1', { name: 'A mug', priceCents: 950 }),
  ]);

  expect((await published()).filter((record) => record.startsWith('MUG-1'))).toEqual(['MUG-1 v1', 'MUG-1 v2']);
});

it('withdraws a product with a tombstone, and withdraws nothing twice', async () => {
  await products.set('LAMP-1', { name: 'A lamp', priceCents: 1500 });

  expect(await products.withdraw('LAMP-1')).toBe(true);
  expect(await products.withdraw('LAMP-1')).toBe(false);

  expect(await products.find('LAMP-1')).toBeNull();
  expect((await published()).filter((record) => record.startsWith('LAMP-1'))).toEqual([
    'LAMP-1 v1',
    'LAMP-1 tombstone',
  ]);
});

it('says a change is published once the outbox holds no unsent row of the product', async () => {
  await products.set('PEN-1', { name: 'A pen', priceCents: 200 });
  expect(await products.isPublished('PEN-1')).toBe(false);

  await dataSource.query(`UPDATE outbox SET published_at = now() WHERE message_key = 'PEN-1'`); // as the relay does

  expect(await products.isPublished('PEN-1')).toBe(true);
});
