/**
 * The view's write rules, against a real Postgres: the highest version wins, a tombstone leaves a marker that
 * nothing replaces, replays change nothing, and the position in `orders` moves with the rows.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { summarizeOrderView, type OrderSnapshot } from '@saga/events';
import { anOrder, createDatabase, dropDatabase, testInfrastructure } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { orderViewMigrations } from './migrations/index.js';
import { OrderViewStore, type ViewChange } from './order-view.store.js';

let dataSource: DataSource;
let databaseUrl: string;
let store: OrderViewStore;

beforeAll(async () => {
  databaseUrl = await createDatabase(testInfrastructure().postgresUrl, 'order_view_it');
  dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations: orderViewMigrations,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new OrderViewStore(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

beforeEach(() => store.clear());

const snapshot = (orderId: string, version: number, status: OrderSnapshot['status'] = 'PENDING') =>
  anOrder({ orderId }).snapshot(version, status);

const find = async (orderId: string) => {
  const { entry } = await store.find(dataSource.manager, orderId);
  return entry?.erased === false ? entry.snapshot : entry;
};
const position = async () => (await store.find(dataSource.manager, randomUUID())).position;

/** Applies `changes` as the next batch of partition 0. */
let offset = 0n;
const apply = (changes: ViewChange[]) => store.apply(0, (offset += BigInt(changes.length)), changes);

describe('OrderViewStore.apply', () => {
  it('keeps the newest version: an older snapshot, delivered late or again, changes nothing', async () => {
    const id = randomUUID();
    await apply([{ orderId: id, snapshot: snapshot(id, 3, 'STOCK_RESERVED') }]);
    await apply([{ orderId: id, snapshot: snapshot(id, 2, 'PAYMENT_AUTHORIZED') }]);

    expect(await find(id)).toMatchObject({ version: 3, status: 'STOCK_RESERVED' });
  });

  it('within one batch, takes the highest version of each key, and a tombstone over any snapshot', async () => {
    const [id, other] = [randomUUID(), randomUUID()];
    await apply([
      { orderId: id, snapshot: snapshot(id, 1) },
      { orderId: other, snapshot: snapshot(other, 1) },
      { orderId: id, snapshot: snapshot(id, 3, 'STOCK_RESERVED') },
      { orderId: other, snapshot: null },
      { orderId: id, snapshot: snapshot(id, 2, 'PAYMENT_AUTHORIZED') }, // a zombie's late copy
      { orderId: other, snapshot: snapshot(other, 2) },
    ]);

    expect(await find(id)).toMatchObject({ version: 3, status: 'STOCK_RESERVED' });
    expect(await find(other)).toEqual({ erased: true });
  });

  it('leaves a marker for an erased order, which no later snapshot replaces, and which no summary counts', async () => {
    const id = randomUUID();
    await apply([{ orderId: id, snapshot: snapshot(id, 5, 'COMPLETED') }]);
    await apply([{ orderId: id, snapshot: null }]);
    await apply([{ orderId: id, snapshot: snapshot(id, 6, 'COMPLETED') }]);

    expect(await find(id)).toEqual({ erased: true });
    expect(await store.summary()).toEqual(summarizeOrderView([]));
  });

  it('records how far it has read, in the transaction that applies the records, and never moves back', async () => {
    const id = randomUUID();
    await store.apply(2, 41n, [{ orderId: id, snapshot: snapshot(id, 1) }]);
    await store.apply(3, 7n, []);
    await store.apply(2, 12n, []); // a replay after a crash

    expect(await position()).toEqual(
      new Map([
        [2, 41n],
        [3, 7n],
      ]),
    );
    await store.clear();
    expect(await position()).toEqual(new Map());
  });

  it('summarizes what it holds the way every service does', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await apply([
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
