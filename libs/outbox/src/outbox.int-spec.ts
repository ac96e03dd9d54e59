/**
 * The outbox's guarantees, against a real Postgres and a real Kafka broker. Each test names one guarantee and
 * fails if it is broken (each was checked once by breaking it on purpose).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Topics } from '@saga/events';
import {
  anOrderPlaced,
  createDatabase,
  dropDatabase,
  testInfrastructure,
  TestTopics,
  TopicReader,
} from '@saga/testing';
import { Kafka, logLevel, Partitioners, type ProducerBatch } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { noFaults, SimulatedCrash, type FaultInjector } from '@saga/runtime';
import { outboxMigrations } from './migrations/index.js';
import { Outbox } from './outbox.js';
import { defaultRelayOptions, OutboxRelay, type RelayOptions } from './outbox-relay.js';

const { kafkaBrokers, postgresUrl } = testInfrastructure();
const kafka = new Kafka({ clientId: 'outbox-int-spec', brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
const outbox = new Outbox();

let databaseUrl: string;
let dataSource: DataSource;
let reader: TopicReader;
/** Topics of this run only: the relay's events never reach the topics a local run of the services reads. */
let topics: TestTopics;

const orderPlaced = (orderId?: string) => anOrderPlaced({ orderId });

const newRelay = (faults: FaultInjector = noFaults, options: Partial<RelayOptions> = {}) =>
  new OutboxRelay(
    dataSource,
    kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }),
    { ...defaultRelayOptions, pollIntervalMs: 50, topicPrefix: topics.prefix, ...options },
    faults,
    databaseUrl,
  );

/** Ids of the events read from Kafka, in order, for the given order ids. */
const publishedIds = (orderIds: Set<string>) =>
  reader.messages.filter((message) => orderIds.has(message.key ?? '')).map((m) => JSON.parse(m.value!).id as string);

const pendingRows = async (): Promise<number> =>
  Number((await dataSource.query(`SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`))[0].n);

beforeAll(async () => {
  databaseUrl = await createDatabase(postgresUrl, 'outbox_it');
  dataSource = new DataSource({ type: 'postgres', url: databaseUrl, migrations: outboxMigrations });
  await dataSource.initialize();
  await dataSource.runMigrations();
  topics = await TestTopics.create(kafkaBrokers, 'outbox-it');
  reader = await TopicReader.start(kafkaBrokers, [topics.name(Topics.orderEvents)]);
});

afterAll(async () => {
  await reader?.stop();
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
  await topics?.delete();
});

describe('transactional outbox', () => {
  it('publishes nothing for a transaction that rolls back, and everything for one that commits', async () => {
    const rolledBack = orderPlaced();
    const committed = orderPlaced();

    await expect(
      dataSource.transaction(async (transaction) => {
        await outbox.enqueue(transaction, rolledBack);
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    await dataSource.transaction((transaction) => outbox.enqueue(transaction, committed));
    const relay = newRelay();
    await relay.start();

    const keys = new Set([rolledBack.orderId, committed.orderId]);
    await reader.waitFor(() => publishedIds(keys).includes(committed.id));
    await relay.stop();

    expect(publishedIds(keys)).toEqual([committed.id]);
    const rows = await dataSource.query(`SELECT event_id FROM outbox WHERE event_id = $1`, [rolledBack.id]);
    expect(rows).toEqual([]);
  });

  it('refuses to enqueue outside a transaction, where atomicity could not hold', async () => {
    await expect(outbox.enqueue(dataSource.manager, orderPlaced())).rejects.toThrow('open transaction');
  });

  it('still publishes a batch when the relay crashes after sending it and before marking it published', async () => {
    const events = Array.from({ length: 5 }, () => orderPlaced());
    await dataSource.transaction((transaction) => outbox.enqueue(transaction, ...events));

    const crashing = newRelay({
      at: async (point) => {
        if (point === 'relay.after-send') throw new SimulatedCrash(point);
      },
    });
    await expect(crashing.drain()).rejects.toThrow(SimulatedCrash);
    await crashing.stop();
    expect(await pendingRows()).toBe(events.length); // sent, but not marked: the crash lost no row

    const restarted = newRelay();
    await restarted.drain();
    await restarted.stop();

    const keys = new Set(events.map((event) => event.orderId));
    await reader.waitFor(() => new Set(publishedIds(keys)).size === events.length);
    expect(await pendingRows()).toBe(0);
    // At least once: every event arrived, some of them twice. The consumers' inbox absorbs the duplicates.
    expect(new Set(publishedIds(keys))).toEqual(new Set(events.map((event) => event.id)));
  });

  it('keeps commit order per key, without duplicates, under concurrent writers and three relays', async () => {
    const orderIds = Array.from({ length: 8 }, () => randomUUID());
    const committedOrder = new Map(orderIds.map((id) => [id, [] as string[]]));
    const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 15));

    /** Many transactions per key at once; each records its event after its commit returns. */
    const writeConcurrently = (writersPerKey: number) =>
      Promise.all(
        orderIds.flatMap((orderId) =>
          Array.from({ length: writersPerKey }, async () => {
            const event = orderPlaced(orderId);
            await dataSource.transaction(async (transaction) => {
              await pause();
              await outbox.enqueue(transaction, event);
              await pause(); // let a later writer insert before this one commits, if it can
            });
            committedOrder.get(orderId)!.push(event.id);
          }),
        ),
      );

    // First with the relays stopped, so that every row is pending at once; then with them running.
    await writeConcurrently(6);
    const relays = [
      newRelay(noFaults, { batchSize: 7 }),
      newRelay(noFaults, { batchSize: 7 }),
      newRelay(noFaults, { batchSize: 7 }),
    ];
    await Promise.all(relays.map((relay) => relay.start()));
    await writeConcurrently(6);

    const keys = new Set(orderIds);
    const expected = orderIds.length * 12;
    await reader.waitFor(() => publishedIds(keys).length >= expected);
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for any duplicate to show up
    await Promise.all(relays.map((relay) => relay.stop()));

    const published = publishedIds(keys);
    expect(published).toHaveLength(expected);
    expect(new Set(published).size).toBe(expected);
    for (const orderId of orderIds) {
      const forKey = reader.messages
        .filter((message) => message.key === orderId)
        .map((message) => JSON.parse(message.value!).id);
      expect(forKey).toEqual(committedOrder.get(orderId));
    }
  });

  it("sends a key's record on another topic only once the broker has acknowledged the key's record before it", async () => {
    const placed = orderPlaced();
    const snapshot = {
      id: randomUUID(),
      topic: Topics.orders,
      key: placed.orderId,
      type: 'OrderSnapshot',
      payload: {},
    };
    await dataSource.transaction(async (transaction) => {
      await outbox.enqueueRecords(transaction, [snapshot]);
      await outbox.enqueue(transaction, placed);
    });

    // A producer that notes, for this key, when each topic's record was handed over and when Kafka acknowledged it.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const seen: string[] = [];
    const ours = (batch: ProducerBatch) =>
      (batch.topicMessages ?? [])
        .filter((topic) => topic.messages.some((message) => message.key === placed.orderId))
        .map((topic) => topic.topic.slice(topics.prefix.length));
    const noting = {
      ...producer,
      sendBatch: async (batch: ProducerBatch) => {
        seen.push(...ours(batch).map((topic) => `sent ${topic}`));
        const acknowledged = await producer.sendBatch(batch);
        seen.push(...ours(batch).map((topic) => `acknowledged ${topic}`));
        return acknowledged;
      },
    };
    const relay = new OutboxRelay(
      dataSource,
      noting,
      { ...defaultRelayOptions, topicPrefix: topics.prefix },
      noFaults,
      databaseUrl,
    );
    await relay.drain();
    await relay.stop();

    expect(seen).toEqual([
      `sent ${Topics.orders}`,
      `acknowledged ${Topics.orders}`,
      `sent ${Topics.orderEvents}`,
      `acknowledged ${Topics.orderEvents}`,
    ]);
  });

  it('deletes published rows older than the retention, and neither newer nor pending ones', async () => {
    const [old, recent, pending] = [orderPlaced(), orderPlaced(), orderPlaced()];
    await dataSource.transaction((transaction) => outbox.enqueue(transaction, old, recent, pending));
    await dataSource.query(
      `UPDATE outbox SET published_at = now() - CASE WHEN event_id = $1 THEN interval '2 hours' ELSE interval '1 minute' END
       WHERE event_id = ANY($2::uuid[])`,
      [old.id, [old.id, recent.id]],
    );

    await newRelay(noFaults, { retentionMs: 60 * 60 * 1_000 }).deleteExpired();

    const left = await dataSource.query(`SELECT event_id FROM outbox WHERE event_id = ANY($1::uuid[])`, [
      [old.id, recent.id, pending.id],
    ]);
    expect(left.map((row: { event_id: string }) => row.event_id).sort()).toEqual([recent.id, pending.id].sort());
  });
});
