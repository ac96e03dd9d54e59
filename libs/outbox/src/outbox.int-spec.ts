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
  eventually,
  testInfrastructure,
  TestTopics,
  TopicReader,
  WireFaults,
} from '@saga/testing';
import { withAdmin } from '@saga/kafka';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Producer,
  type RecordMetadata,
  type TopicMessages,
  type Transaction,
} from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { noFaults, SimulatedCrash, type FaultInjector } from '@saga/runtime';
import type { LaneClients } from './lane-producers.js';
import { LockNamespace } from './locks.js';
import { outboxMigrations } from './migrations/index.js';
import { Outbox, type OutboxRecord } from './outbox.js';
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

/** Lane producers as the services make them (see MessagingModule), on `client`. */
const producersOn = (client: Kafka): LaneClients => ({
  producer: (transactionalId) =>
    client.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 10_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    }),
  admin: () => client.admin(),
});

const newRelay = (
  faults: FaultInjector = noFaults,
  options: Partial<RelayOptions> = {},
  producers: LaneClients = producersOn(kafka),
) =>
  new OutboxRelay(
    dataSource,
    producers,
    {
      ...defaultRelayOptions,
      pollIntervalMs: 50,
      topicPrefix: topics.prefix,
      transactionalIdPrefix: topics.prefix,
      ...options,
    },
    faults,
    databaseUrl,
  );

/** A Kafka client whose sockets carry `faults`; it gives up on a request after `requestTimeout` ms. */
const faultyClient = (faults: WireFaults, requestTimeout = 30_000) =>
  new Kafka({
    clientId: 'outbox-int-spec-faulty',
    brokers: kafkaBrokers,
    logLevel: logLevel.NOTHING,
    socketFactory: faults.socketFactory,
    requestTimeout,
    retry: { initialRetryTime: 100, retries: 5 },
  });

/** Ids of the events read from Kafka, in order, for the given order ids. */
const publishedIds = (orderIds: Set<string>) =>
  reader.messages.filter((message) => orderIds.has(message.key ?? '')).map((m) => JSON.parse(m.value!).id as string);

const pendingRows = async (): Promise<number> =>
  Number(
    (await dataSource.query(`SELECT count(*) AS n FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL`))[0]
      .n,
  );

/** Snapshot-like records on `orders`: one key, versions in order. */
const versionRecord = (key: string, version: number, padding = ''): OutboxRecord => ({
  id: randomUUID(),
  topic: Topics.orders,
  key,
  type: 'OrderSnapshot',
  payload: { version, padding },
});

/** The versions read from `orders` for `key`, in log order (committed records only, as every consumer reads). */
const versionsRead = (key: string) =>
  ordersReader.messages.filter((message) => message.key === key).map((m) => JSON.parse(m.value!).version as number);

let ordersReader: TopicReader;

beforeAll(async () => {
  databaseUrl = await createDatabase(postgresUrl, 'outbox_it');
  dataSource = new DataSource({ type: 'postgres', url: databaseUrl, migrations: outboxMigrations });
  await dataSource.initialize();
  await dataSource.runMigrations();
  topics = await TestTopics.create(kafkaBrokers, 'outbox-it');
  reader = await TopicReader.start(kafkaBrokers, [topics.name(Topics.orderEvents)]);
  ordersReader = await TopicReader.start(kafkaBrokers, [topics.name(Topics.orders)]);
});

afterAll(async () => {
  await reader?.stop();
  await ordersReader?.stop();
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

  it("sends a key's record on another topic only once the key's record before it is visible to readers", async () => {
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

    // Lane producers that note, for this key, when each topic's record was handed over and when it was committed,
    // and whether a reader of committed records could see the snapshot when the event was handed over.
    const seen: string[] = [];
    let snapshotAt: RecordMetadata | undefined;
    const snapshotVisible = async () => {
      const ends = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topics.name(Topics.orders)));
      const end = ends.find(({ partition }) => partition === snapshotAt?.partition);
      return end !== undefined && BigInt(end.high) > BigInt(snapshotAt!.baseOffset!);
    };
    const ours = (topicMessages: TopicMessages[]) =>
      topicMessages
        .filter((topic) => topic.messages.some((message) => message.key === placed.orderId))
        .map((topic) => topic.topic.slice(topics.prefix.length));
    const noting = (clients: LaneClients): LaneClients => ({
      ...clients,
      producer: (transactionalId) => {
        const producer = clients.producer(transactionalId);
        return {
          ...producer,
          transaction: async () => {
            const transaction = await producer.transaction();
            let sent: string[] = [];
            return {
              ...transaction,
              sendBatch: async (batch) => {
                sent = ours(batch.topicMessages ?? []);
                if (sent.includes(Topics.orderEvents)) seen.push(`snapshot visible: ${await snapshotVisible()}`);
                seen.push(...sent.map((topic) => `sent ${topic}`));
                const written = await transaction.sendBatch(batch);
                snapshotAt ??= written.find((record) => record.topicName === topics.name(Topics.orders));
                return written;
              },
              commit: async () => {
                await transaction.commit();
                seen.push(...sent.map((topic) => `committed ${topic}`));
              },
            } satisfies Transaction;
          },
        } satisfies Producer;
      },
    });
    const relay = newRelay(noFaults, {}, noting(producersOn(kafka)));
    await relay.drain();
    await relay.stop();

    expect(seen).toEqual([
      `sent ${Topics.orders}`,
      `committed ${Topics.orders}`,
      'snapshot visible: true',
      `sent ${Topics.orderEvents}`,
      `committed ${Topics.orderEvents}`,
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

describe('the relay on a faulty connection to the broker', () => {
  /** Every row marked published is in Kafka, once, in the order of the outbox per key. */
  const expectPublishedOnceInOrder = async (records: OutboxRecord[]) => {
    const published: { event_id: string }[] = await dataSource.query(
      `SELECT event_id FROM outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NOT NULL`,
      [records.map((record) => record.id)],
    );
    expect(published).toHaveLength(records.length);
    const keys = [...new Set(records.map((record) => record.key))];
    await ordersReader.waitFor(() => keys.every((key) => versionsRead(key).length >= 5));
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for a duplicate to show up
    for (const key of keys) expect(versionsRead(key)).toEqual([1, 2, 3, 4, 5]);
  };

  it('loses and duplicates nothing when the broker appends a batch and the client never hears so', async () => {
    // Five versions each of 40 keys: many lanes, drained four at a time, in batches of five rows.
    const records = Array.from({ length: 40 }, () => randomUUID()).flatMap((key) =>
      [1, 2, 3, 4, 5].map((version) => versionRecord(key, version)),
    );
    for (const version of [1, 2, 3, 4, 5]) {
      await dataSource.transaction((transaction) =>
        outbox.enqueueRecords(
          transaction,
          records.filter((record) => (record.payload as { version: number }).version === version),
        ),
      );
    }
    const faults = new WireFaults();
    const client = faultyClient(faults, 1_500);
    faults.loseProduceResponses(6);

    const relay = newRelay(noFaults, { batchSize: 5, concurrency: 4, sendTimeLimitMs: 5_000 }, producersOn(client));
    await relay.start();
    await eventually(pendingRows, (pending) => pending === 0, { timeoutMs: 60_000, what: 'every row published' });
    await relay.stop();

    expect(faults.seen.responsesLost).toBe(6);
    await expectPublishedOnceInOrder(records);
  });

  it('fences a relay that lost its lane mid-send: its late records never follow the new owner', async () => {
    const key = randomUUID();
    const [v1, v2, v3, v4, v5] = [1, 2, 3, 4, 5].map((version) => versionRecord(key, version));
    await dataSource.transaction((transaction) => outbox.enqueueRecords(transaction, [v1!, v2!]));

    // Relay A sends v1 v2, and its request is held on the way to the broker...
    const faults = new WireFaults();
    faults.holdProduceRequests(4_000);
    const zombie = newRelay(noFaults, { sendTimeLimitMs: 30_000 }, producersOn(faultyClient(faults)));
    const zombieDrain = zombie.drain();
    await eventually(
      async () => faults.seen.requestsHeld,
      (held) => held > 0,
      { timeoutMs: 10_000, what: 'relay A sending' },
    );
    // ...while its database session dies, and with it the lock on the lane.
    const [{ terminated }] = await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_locks
       WHERE locktype = 'advisory' AND classid = $1 AND granted`,
      [LockNamespace.relayLane],
    );
    expect(terminated).toBe(1);

    // Relay B takes the lane and publishes v1 to v5.
    await dataSource.transaction((transaction) => outbox.enqueueRecords(transaction, [v3!, v4!, v5!]));
    const owner = newRelay();
    await owner.drain();
    await owner.stop();
    await ordersReader.waitFor(() => versionsRead(key).includes(5));

    // A's request reaches the broker now, after B's records: the broker refuses it.
    await expect(zombieDrain).rejects.toThrow();
    await zombie.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(versionsRead(key)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives up a send that outlasts its time limit, frees the lane, and sends the rows once later', async () => {
    const key = randomUUID();
    const records = [1, 2, 3, 4, 5].map((version) => versionRecord(key, version));
    await dataSource.transaction((transaction) => outbox.enqueueRecords(transaction, records));
    const faults = new WireFaults();
    faults.holdProduceRequests(3_000);

    const slow = newRelay(noFaults, { sendTimeLimitMs: 500 }, producersOn(faultyClient(faults)));
    await expect(slow.drain()).rejects.toThrow('took longer than 500 ms');
    expect(faults.seen).toMatchObject({ requestsHeld: 1, requestsReleased: 0 }); // gave up before it went out

    const next = newRelay();
    await next.drain();
    await next.stop();
    await slow.stop();
    await expectPublishedOnceInOrder(records);
  });

  it('sets aside a row larger than the broker takes, with the reason, and sends the rows after it', async () => {
    const key = randomUUID();
    const huge = 'x'.repeat(1_200_000);
    const [tooLarge, refused, fine] = [1, 2, 3].map((version) => versionRecord(key, version, version < 3 ? huge : ''));
    await dataSource.transaction((transaction) => outbox.enqueueRecords(transaction, [tooLarge!]));
    await dataSource.transaction((transaction) => outbox.enqueueRecords(transaction, [refused!, fine!]));

    // The first is over the relay's own limit; the second over the broker's only (the relay's limit raised).
    const relay = newRelay(noFaults, { maxRecordBytes: 1_000_000 });
    await relay.drain();
    await relay.stop();
    await dataSource.query(`UPDATE outbox SET set_aside_at = NULL WHERE event_id = $1`, [refused!.id]);
    const trusting = newRelay(noFaults, { maxRecordBytes: 10_000_000 });
    await trusting.drain();
    await trusting.stop();

    const rows: { event_id: string; published: boolean; set_aside_reason: string | null }[] = await dataSource.query(
      `SELECT event_id, published_at IS NOT NULL AS published, set_aside_reason FROM outbox
       WHERE event_id = ANY($1::uuid[])`,
      [[tooLarge!.id, refused!.id, fine!.id]],
    );
    const row = (id: string) => rows.find((candidate) => candidate.event_id === id);
    expect(row(tooLarge!.id)).toMatchObject({
      published: false,
      set_aside_reason: expect.stringMatching(/more than 1000000/),
    });
    expect(row(refused!.id)).toMatchObject({
      published: false,
      set_aside_reason: expect.stringMatching(/broker refused/),
    });
    expect(row(fine!.id)).toMatchObject({ published: true });
    await ordersReader.waitFor(() => versionsRead(key).includes(3));
    expect(versionsRead(key)).toEqual([3]);
    expect(await relay.setAsideCount()).toBeGreaterThanOrEqual(2);
  });
});
