/**
 * The inbox and the consumer loop, against a real Postgres and a real Kafka broker: a redelivered event has no
 * second effect, and a message that can never be processed is skipped without blocking its partition.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { causedBy, createEvent, Topics, type OrderCancelled, type OrderPlaced } from '@saga/events';
import { SimulatedCrash, type FaultInjector } from '@saga/runtime';
import {
  anOrderPlaced,
  createDatabase,
  dropDatabase,
  eventually,
  testInfrastructure,
  TestTopics,
  TopicReader,
  type ReadMessage,
} from '@saga/testing';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConsumerGate } from './consumer-gate.js';
import { DeadLetterHeader, DeadLetters } from './dead-letters.js';
import { Inbox } from './inbox.js';
import { defaultConsumerOptions, KafkaInboxServer, type InboxContext } from './kafka-inbox.server.js';
import { inboxMigrations } from './migrations/index.js';
import { EventRejectedError } from './on-event.js';
import { NotRedrivable, redriveDeadLetters } from './redrive.js';

const { kafkaBrokers, postgresUrl } = testInfrastructure();
const kafka = new Kafka({ clientId: 'inbox-int-spec', brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
/** Topics of this run only, so that its dead letters and redrives touch nothing else on a shared broker. */
let topics: TestTopics;
let prefix: string;
let topic: string;
let deadLetterTopic: string;

let databaseUrl: string;
let dataSource: DataSource;
let producer: Producer;
let server: KafkaInboxServer;
/** The id of the event the handler applied last. */
let lastHandled: string | undefined;
/** Crashes once at 'consumer.after-commit' for each event id put here. */
const crashAfterCommit = new Set<string>();
/** The handler rejects these events as invalid (as a handler with a bug would). */
const rejecting = new Set<string>();
/** The handler fails this many more times on these events, as when the database is down. */
const failing = new Map<string, number>();
/** Events whose handler fails the same way every time (a bug, or data that breaks a constraint). */
const broken = new Set<string>();
/** How many times the handler was tried, per event id. */
const attempts = new Map<string, number>();
let deadLetters: TopicReader;
const gate = new ConsumerGate();
const deadLetterProducer = new DeadLetters(kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner }));

const faults: FaultInjector = {
  at: async (point) => {
    if (point !== 'consumer.after-commit') return;
    const [eventId] = crashAfterCommit;
    if (eventId && lastHandled === eventId) {
      crashAfterCommit.delete(eventId);
      throw new SimulatedCrash(point);
    }
  },
};

const orderPlaced = (orderId?: string) => anOrderPlaced({ orderId });

const send = (key: string, ...values: (string | OrderPlaced | OrderCancelled)[]) =>
  producer.send({
    topic,
    messages: values.map((value) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })),
  });

const timesApplied = async (eventId: string): Promise<number> =>
  Number((await dataSource.query(`SELECT count(*) AS n FROM effects WHERE event_id = $1`, [eventId]))[0].n);

beforeAll(async () => {
  topics = await TestTopics.create(kafkaBrokers, 'inbox-it');
  prefix = topics.prefix;
  topic = topics.name(Topics.orderEvents);
  deadLetterTopic = `${topic}.dlq`;
  deadLetters = await TopicReader.start(kafkaBrokers, [deadLetterTopic]);

  databaseUrl = await createDatabase(postgresUrl, 'inbox_it');
  dataSource = new DataSource({ type: 'postgres', url: databaseUrl, migrations: inboxMigrations });
  await dataSource.initialize();
  await dataSource.runMigrations();
  // The handler's "business effect": one row per application, so a second application is visible.
  await dataSource.query(`CREATE TABLE effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL)`);

  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  server = new KafkaInboxServer(
    kafka,
    dataSource,
    new Inbox(),
    {
      ...defaultConsumerOptions,
      groupId: `${prefix}consumer`,
      topicPrefix: prefix,
      retryInitialMs: 20,
      retryMaxMs: 100,
    },
    faults,
    gate,
    deadLetterProducer,
  );
  server.addHandler(
    'OrderPlaced',
    async (event: OrderPlaced, context: InboxContext) => {
      if (rejecting.has(event.id)) throw new EventRejectedError(`cannot ship to the moon`);
      if (broken.has(event.id))
        throw Object.assign(new Error('violates check constraint "stock_positive"'), { code: '23514' });
      const failures = failing.get(event.id) ?? 0;
      if (failures > 0) {
        failing.set(event.id, failures - 1);
        throw new Error('connection terminated unexpectedly');
      }
      await context.transaction.query(`INSERT INTO effects (event_id) VALUES ($1)`, [event.id]);
      lastHandled = event.id;
    },
    true,
  );
  // A compensation: broken the same way as above, it must still never be dropped.
  server.addHandler(
    'OrderCancelled',
    async (event: OrderCancelled, context: InboxContext) => {
      attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
      if (broken.has(event.id))
        throw Object.assign(new Error('violates check constraint "credit_positive"'), { code: '23514' });
      await context.transaction.query(`INSERT INTO effects (event_id) VALUES ($1)`, [event.id]);
    },
    true,
  );
  await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
});

afterAll(async () => {
  await server?.close();
  await deadLetterProducer.close();
  await deadLetters?.stop();
  await producer?.disconnect();
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
  await topics?.delete();
});

const header = (message: ReadMessage, name: string) => message.headers[name];

describe('inbox', () => {
  it('applies an event delivered twice only once', async () => {
    const orderId = randomUUID();
    const event = orderPlaced(orderId);
    const marker = orderPlaced(orderId); // same key, so same partition: handled after both copies

    await send(orderId, event, event, marker);

    await eventually(
      () => timesApplied(marker.id),
      (n) => n === 1,
      { what: 'marker applied' },
    );
    expect(await timesApplied(event.id)).toBe(1);
  });

  it('applies an event once when the consumer crashes after its transaction and before committing the offset', async () => {
    const orderId = randomUUID();
    const event = orderPlaced(orderId);
    const marker = orderPlaced(orderId);
    crashAfterCommit.add(event.id);

    await send(orderId, event, marker);

    await eventually(
      () => timesApplied(marker.id),
      (n) => n === 1,
      { what: 'marker applied' },
    );
    expect(crashAfterCommit.has(event.id)).toBe(false); // the crash did happen
    expect(await timesApplied(event.id)).toBe(1);
  });

  it('dead-letters every kind of poison message, with the reason, and goes on with the events behind it', async () => {
    const orderId = randomUUID();
    const valid = orderPlaced(orderId);
    const poison: [string, string][] = [
      ['{ not json', 'not JSON'],
      [JSON.stringify({ ...valid, id: randomUUID(), type: 'OrderTeleported' }), 'unknown event type "OrderTeleported"'],
      [JSON.stringify({ ...valid, id: randomUUID(), version: 99 }), 'version 99 is newer'],
      [JSON.stringify({ ...valid, id: randomUUID(), data: { ...valid.data, items: [] } }), 'data.items'],
    ];
    const rejected = orderPlaced(orderId);
    rejecting.add(rejected.id);
    const after = orderPlaced(orderId);

    await send(orderId, ...poison.map(([value]) => value), rejected, after);

    await eventually(
      () => timesApplied(after.id),
      (n) => n === 1,
      { what: 'event behind the bad ones applied' },
    );
    const letters = (await deadLetters.waitFor((all) => all.filter((m) => m.key === orderId).length === 5)).filter(
      (message) => message.key === orderId,
    );
    expect(letters.map((letter) => letter.value)).toEqual([
      ...poison.map(([value]) => value),
      JSON.stringify(rejected),
    ]);
    poison.forEach(([, reason], i) => expect(header(letters[i]!, DeadLetterHeader.reason)).toContain(reason));
    expect(header(letters[4]!, DeadLetterHeader.reason)).toBe('OrderPlaced rejected: cannot ship to the moon');
    for (const letter of letters) {
      expect(header(letter, DeadLetterHeader.sourceTopic)).toBe(topic);
      expect(header(letter, DeadLetterHeader.consumer)).toBe(`${prefix}consumer`);
      expect(Number(header(letter, DeadLetterHeader.sourceOffset))).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(letters.map((letter) => header(letter, DeadLetterHeader.sourcePartition))).size).toBe(1);
    expect(await timesApplied(rejected.id)).toBe(0);
  });

  it('retries a transient failure until it succeeds, and never dead-letters it', async () => {
    const orderId = randomUUID();
    const flaky = orderPlaced(orderId);
    failing.set(flaky.id, 3);

    await send(orderId, flaky);

    await eventually(
      () => timesApplied(flaky.id),
      (n) => n === 1,
      { what: 'the flaky event applied' },
    );
    expect(failing.get(flaky.id)).toBe(0);
    expect(deadLetters.messages.filter((message) => message.key === orderId)).toEqual([]);
  });

  it('dead-letters an event that fails the same way every time, after a few attempts, and moves on', async () => {
    const orderId = randomUUID();
    const [doomed, next] = [orderPlaced(orderId), orderPlaced(orderId)];
    broken.add(doomed.id);

    await send(orderId, doomed, next);

    await deadLetters.waitFor((all) => all.some((message) => message.key === orderId));
    await eventually(
      () => timesApplied(next.id),
      (n) => n === 1,
      { what: 'the next event of the partition applied' },
    );
    const letter = deadLetters.messages.find((message) => message.key === orderId)!;
    expect(header(letter, DeadLetterHeader.reason)).toBe(
      'OrderPlaced rejected: failed 5 times: violates check constraint "stock_positive"',
    );
    expect(await timesApplied(doomed.id)).toBe(0);
  });

  it('never dead-letters a compensation that keeps failing: it retries it, counted, until the cause is fixed', async () => {
    const placed = orderPlaced();
    const cancelled = createEvent<OrderCancelled>(
      'OrderCancelled',
      placed.orderId,
      { customerId: placed.data.customerId, reason: 'OUT_OF_STOCK' },
      causedBy(placed),
      new Date(),
    );
    broken.add(cancelled.id);

    await send(placed.orderId, cancelled);
    const maxAttempts = defaultConsumerOptions.maxAttempts;
    await eventually(
      async () => attempts.get(cancelled.id) ?? 0,
      (n) => n > maxAttempts + 2,
      { what: `the compensation tried more than ${maxAttempts} times` },
    );
    expect(server.compensationsRetrying).toBe(1);
    broken.delete(cancelled.id); // the cause is fixed

    await eventually(
      () => timesApplied(cancelled.id),
      (n) => n === 1,
      { what: 'the compensation applied' },
    );
    expect(server.compensationsRetrying).toBe(0);
    expect(deadLetters.messages.filter((message) => message.key === placed.orderId)).toEqual([]);
  });

  it('redrives a dead letter once its cause is fixed; a second delivery of it changes nothing', async () => {
    const orderId = randomUUID();
    const event = orderPlaced(orderId);
    rejecting.add(event.id);
    await send(orderId, event);
    await deadLetters.waitFor((all) => all.some((message) => message.key === orderId));

    rejecting.delete(event.id); // the fix is deployed
    const redrive = { deadLetterTopic, groupId: `${prefix}redrive` };
    const first = await redriveDeadLetters(kafka, redrive);
    await eventually(
      () => timesApplied(event.id),
      (n) => n === 1,
      { what: 'the redriven event applied' },
    );
    await send(orderId, event); // and should it come again, the inbox knows it
    const marker = orderPlaced(orderId);
    await send(orderId, marker);
    await eventually(
      () => timesApplied(marker.id),
      (n) => n === 1,
      { what: 'marker applied' },
    );

    expect(first.redriven).toBeGreaterThanOrEqual(1);
    expect(first.bySourceTopic).toEqual({ [topic]: first.redriven });
    expect(await timesApplied(event.id)).toBe(1);
  });

  it('refuses to redrive the dead letters of orders, where an old snapshot could land after a newer one', async () => {
    const redrive = redriveDeadLetters(kafka, {
      deadLetterTopic: `${topics.name(Topics.orders)}.dlq`,
      groupId: `${prefix}r`,
    });
    await expect(redrive).rejects.toThrow(NotRedrivable);
    await expect(redrive).rejects.toThrow('Republish the current snapshots instead');
  });

  it('sends a record back once, however many consumer groups dead-lettered it', async () => {
    const orderId = randomUUID();
    const event = orderPlaced(orderId);
    // Two groups gave up on the same record (same source offset): two dead letters of it.
    const letter = (consumer: string) => ({
      key: orderId,
      value: JSON.stringify(event),
      headers: {
        [DeadLetterHeader.reason]: 'rejected',
        [DeadLetterHeader.sourceTopic]: topic,
        [DeadLetterHeader.sourcePartition]: '0',
        [DeadLetterHeader.sourceOffset]: '123456',
        [DeadLetterHeader.consumer]: consumer,
      },
    });
    await producer.send({ topic: deadLetterTopic, messages: [letter('payment'), letter('inventory')] });

    const result = await redriveDeadLetters(kafka, { deadLetterTopic, groupId: `${prefix}redrive` });

    expect(result.copies).toBeGreaterThanOrEqual(1);
    await eventually(
      () => timesApplied(event.id),
      (n) => n === 1,
      { what: 'the redriven event applied' },
    );
  });

  it('forgets applied events past the retention, and remembers the newer ones', async () => {
    const [old, recent] = [orderPlaced(), orderPlaced()];
    await dataSource.transaction(async (transaction) => {
      for (const event of [old, recent]) await new Inbox().accept(transaction, 'retention-test', event);
    });
    await dataSource.query(
      `UPDATE inbox SET processed_at = now() - interval '8 days' WHERE consumer = 'retention-test' AND event_id = $1`,
      [old.id],
    );

    await new Inbox().forgetOlderThan(dataSource, 7 * 24 * 60 * 60_000);

    const left = await dataSource.query(`SELECT event_id FROM inbox WHERE consumer = 'retention-test'`);
    expect(left).toEqual([{ event_id: recent.id }]);
  });

  it('holds events while the gate is closed (a view being rebuilt), and applies them once it opens', async () => {
    const orderId = randomUUID();
    const held = orderPlaced(orderId);
    gate.close('test: view being rebuilt');
    try {
      await send(orderId, held);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // far longer than applying it takes

      expect(await timesApplied(held.id)).toBe(0);
    } finally {
      gate.open('test: view being rebuilt');
    }
    await eventually(
      () => timesApplied(held.id),
      (n) => n === 1,
      { what: 'the held event applied after the gate opened' },
    );
  });
});
