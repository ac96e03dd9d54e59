/**
 * Order change notifications, against a real Postgres: every listener (one per order service instance) hears of a
 * change when it commits, never of one that rolled back, and a listener whose connection drops comes back and
 * tells its subscribers to catch up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DeciderRunner, inboxMigrations } from '@saga/inbox';
import { Outbox, outboxMigrations } from '@saga/outbox';
import { anOrder, createDatabase, dropDatabase, eventually, testInfrastructure } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { SystemClock } from '@saga/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { order, type CancelOrder, type OrderInput, type PlaceOrder } from '../domain/order.js';
import { orderMigrations } from '../persistence/migrations/index.js';
import { OrderStore } from '../persistence/order-store.js';
import { OrderEntity } from '../persistence/order.entity.js';
import { OrderChangeListener, type OrderChangeSignal } from './order-change-listener.js';
import { ORDER_CHANGES_CHANNEL, OrderChangeNotifier } from './order-changes.js';

let databaseUrl: string;
let dataSource: DataSource;
let store: OrderStore;
const started: OrderChangeListener[] = [];

beforeAll(async () => {
  databaseUrl = await createDatabase(testInfrastructure().postgresUrl, 'order_changes_it');
  dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: [OrderEntity],
    migrations: [...outboxMigrations, ...inboxMigrations, ...orderMigrations],
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new OrderStore(dataSource, outbox, new SystemClock());
  new OrderChangeNotifier(store).onModuleInit(); // as the live module does at start
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((listener) => listener.onModuleDestroy()));
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

/** A listening listener (as each order service instance has one) and what it has told its subscriber so far. */
async function listen(): Promise<OrderChangeSignal[]> {
  const listener = new OrderChangeListener({ DATABASE_URL: databaseUrl });
  const heard: OrderChangeSignal[] = [];
  listener.subscribe((signal) => heard.push(signal));
  await listener.onModuleInit();
  started.push(listener);
  return heard;
}

const changes = (heard: OrderChangeSignal[]) =>
  heard.flatMap((signal) => (signal.kind === 'change' ? [signal.change] : []));

const untilHeard = (heard: OrderChangeSignal[], expected: object) =>
  eventually(
    async () => changes(heard),
    (received) => received.some((change) => JSON.stringify(change) === JSON.stringify(expected)),
    { timeoutMs: 10_000, what: `notification ${JSON.stringify(expected)}` },
  );

const outbox = new Outbox();
const runner = new DeciderRunner(outbox);
const decide = (transaction: EntityManager, input: OrderInput) =>
  runner.run(transaction, { decider: order, store }, input);
const cancelling = (orderId: string): CancelOrder => ({ type: 'CancelOrder', orderId, reason: 'CUSTOMER_CANCELLED' });

const customerId = randomUUID();

async function place(): Promise<string> {
  const { orderId, request } = anOrder({ customerId });
  const placing: PlaceOrder = { type: 'PlaceOrder', orderId, ...request(), correlationId: randomUUID() };
  await dataSource.transaction((transaction) => decide(transaction, placing));
  return orderId;
}

const cancel = (orderId: string) => dataSource.transaction((transaction) => decide(transaction, cancelling(orderId)));

describe('order change notifications', () => {
  it('every instance hears of each committed change: placed (version 1), changed (2), erased', async () => {
    const [first, second] = await Promise.all([listen(), listen()]);

    const orderId = await place();
    await cancel(orderId);
    await store.erase(orderId, () => true);

    for (const heard of [first, second]) {
      await untilHeard(heard, { orderId, erased: true, customerId });
      expect(changes(heard)).toEqual([
        { orderId, version: 1 },
        { orderId, version: 2 },
        { orderId, erased: true, customerId },
      ]);
    }
  });

  it('a change that rolls back is never heard', async () => {
    const heard = await listen();
    const orderId = await place();

    await expect(
      dataSource.transaction(async (transaction) => {
        await decide(transaction, cancelling(orderId));
        throw new Error('something after the change failed');
      }),
    ).rejects.toThrow('something after the change failed');
    // Notifications arrive in commit order: once a later change is heard, an earlier one would have been too.
    const later = await place();
    await untilHeard(heard, { orderId: later, version: 1 });

    expect(changes(heard).filter((change) => change.orderId === orderId)).toEqual([{ orderId, version: 1 }]);
    expect(await store.find(orderId)).toMatchObject({ status: 'PENDING', version: 1 });
  });

  it('after its connection drops, the listener connects again, asks its subscribers to resync, and hears changes', async () => {
    const heard = await listen();
    expect(heard).toEqual([{ kind: 'resync' }]); // on first listening too: whatever was read before may be stale

    const [{ terminated }] = await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity
       WHERE datname = current_database() AND query = $1`,
      [`LISTEN ${ORDER_CHANGES_CHANNEL}`],
    );
    expect(terminated).toBe(1);
    await eventually(
      async () => heard.filter((signal) => signal.kind === 'resync').length,
      (resyncs) => resyncs === 2,
      { timeoutMs: 10_000, what: 'a resync after reconnecting' },
    );

    const orderId = await place();
    await untilHeard(heard, { orderId, version: 1 });
  });
});
