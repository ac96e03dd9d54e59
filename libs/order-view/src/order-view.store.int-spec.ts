/** The view's write rules, against a real Postgres: newest version wins, tombstones delete, replays change nothing. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { summarizeOrderView, type OrderSnapshot } from '@saga/events';
import { createDatabase, dropDatabase, testInfrastructure } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OrderView1730000000010 } from './migrations/1730000000010-order-view.js';
import { OrderViewStore } from './order-view.store.js';

let dataSource: DataSource;
let databaseUrl: string;
let store: OrderViewStore;

beforeAll(async () => {
  databaseUrl = await createDatabase(testInfrastructure().postgresUrl, 'order_view_it');
  dataSource = new DataSource({ type: 'postgres', url: databaseUrl, migrations: [OrderView1730000000010] });
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new OrderViewStore(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

beforeEach(() => store.clear());

const snapshot = (orderId: string, version: number, status: OrderSnapshot['status'] = 'PENDING'): OrderSnapshot => ({
  orderId,
  version,
  status,
  reason: null,
  customerId: '7f1c4c2e-8a55-4b8e-9a5e-2f0d3c1b6a11',
  items: [{ sku: 'BOOK-1', quantity: 1, unitPriceCents: 1500 }],
  totalCents: 1500,
  shippingAddress: { name: 'Ada', line1: '1 Loop St', city: 'Springfield', postalCode: '12345', country: 'US' },
  placedAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
});

const find = (orderId: string) => store.find(dataSource.manager, orderId);

describe('OrderViewStore.apply', () => {
  it('keeps the newest version: an older snapshot, delivered late or again, changes nothing', async () => {
    const id = randomUUID();
    await store.apply([{ orderId: id, snapshot: snapshot(id, 3, 'STOCK_RESERVED') }]);
    await store.apply([{ orderId: id, snapshot: snapshot(id, 2, 'PAYMENT_AUTHORIZED') }]);

    expect(await find(id)).toMatchObject({ version: 3, status: 'STOCK_RESERVED' });
  });

  it('within one batch, takes the last record of each key', async () => {
    const [id, other] = [randomUUID(), randomUUID()];
    await store.apply([
      { orderId: id, snapshot: snapshot(id, 1) },
      { orderId: other, snapshot: snapshot(other, 1) },
      { orderId: id, snapshot: snapshot(id, 2, 'PAYMENT_AUTHORIZED') },
      { orderId: other, snapshot: null },
    ]);

    expect(await find(id)).toMatchObject({ version: 2, status: 'PAYMENT_AUTHORIZED' });
    expect(await find(other)).toBeNull();
  });

  it('drops an order on its tombstone', async () => {
    const id = randomUUID();
    await store.apply([{ orderId: id, snapshot: snapshot(id, 5, 'COMPLETED') }]);
    await store.apply([{ orderId: id, snapshot: null }]);

    expect(await find(id)).toBeNull();
    expect(await store.isEmpty()).toBe(true);
  });

  it('summarizes what it holds the way every service does', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await store.apply([
      { orderId: a, snapshot: snapshot(a, 4, 'COMPLETED') },
      { orderId: b, snapshot: snapshot(b, 2, 'CANCELLED') },
    ]);

    expect(await store.summary()).toEqual(
      summarizeOrderView([
        { orderId: a, status: 'COMPLETED', version: 4 },
        { orderId: b, status: 'CANCELLED', version: 2 },
      ]),
    );
  });
});
