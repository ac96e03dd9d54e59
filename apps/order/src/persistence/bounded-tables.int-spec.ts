/**
 * The order service's tables stay bounded, against a real Postgres: idempotency keys expire, and the deadline
 * sweep, which runs every second, reads the running orders through an index of them alone, however many orders
 * have finished.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { inboxMigrations } from '@saga/inbox';
import { Outbox, outboxMigrations } from '@saga/outbox';
import { SystemClock } from '@saga/platform';
import { createDatabase, dropDatabase, testInfrastructure } from '@saga/testing';
import { DataSource } from 'typeorm';
import { orderMigrations } from './migrations/index.js';
import { OrderStore, OVERDUE_ORDERS } from './order-store.js';
import { OrderEntity } from './order.entity.js';

let databaseUrl: string;
let dataSource: DataSource;
let store: OrderStore;

beforeAll(async () => {
  databaseUrl = await createDatabase(testInfrastructure().postgresUrl, 'order_tables_it');
  dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: [OrderEntity],
    migrations: [...outboxMigrations, ...inboxMigrations, ...orderMigrations],
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new OrderStore(dataSource, new Outbox(), new SystemClock());
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

it('forgets idempotency keys past their retention, and keeps the newer ones', async () => {
  await dataSource.query(
    `INSERT INTO idempotency_keys (key, fingerprint, response, created_at) VALUES
       ('old', 'f', '{}', now() - interval '25 hours'), ('new', 'f', '{}', now() - interval '1 hour')`,
  );

  expect(await store.forgetIdempotencyKeysOlderThan(24 * 60 * 60_000)).toBe(1);

  const left = await dataSource.query(`SELECT key FROM idempotency_keys`);
  expect(left).toEqual([{ key: 'new' }]);
});

it('finds overdue orders through the index of running orders, not by reading the finished ones', async () => {
  // 20,000 finished orders and 10 running ones, as a long-lived system has them.
  await dataSource.query(`
    INSERT INTO orders (id, customer_id, items, total_cents, shipping_address, status, history, placed_at,
                        updated_at, correlation_id, version)
    SELECT gen_random_uuid(), gen_random_uuid(), '[]', 100, '{}',
           CASE WHEN n <= 10 THEN 'PENDING' ELSE 'COMPLETED' END, '[]',
           now() - make_interval(secs => n), now(), gen_random_uuid(), 1
    FROM generate_series(1, 20010) AS n`);
  await dataSource.query(`ANALYZE orders`);

  const plan = await dataSource.transaction(async (transaction) => {
    const rows: { 'QUERY PLAN': string }[] = await transaction.query(`EXPLAIN ${OVERDUE_ORDERS}`, [new Date(), 100]);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
  const overdue = await dataSource.transaction((transaction) => store.lockOverdue(transaction, new Date(), 100));

  expect(plan).toContain('orders_running_placed_at');
  expect(overdue).toHaveLength(10);
});
