/**
 * The inbox and the consumer loop, against a real Postgres and a real Kafka broker: a redelivered event has no
 * second effect, and a message that can never be processed is skipped without blocking its partition.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Topics, type OrderPlaced } from '@saga/events';
import { anOrderPlaced, createDatabase, dropDatabase, eventually, testInfrastructure } from '@saga/testing';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SimulatedCrash, type FaultInjector } from './faults.js';
import { ConsumerGate } from './inbox/consumer-gate.js';
import { Inbox } from './inbox/inbox.js';
import { defaultConsumerOptions, KafkaInboxServer, type InboxContext } from './inbox/kafka-inbox.server.js';
import { outboxMigrations } from './migrations/index.js';

const { kafkaBrokers, postgresUrl } = testInfrastructure();
const kafka = new Kafka({ clientId: 'inbox-int-spec', brokers: kafkaBrokers, logLevel: logLevel.NOTHING });

let databaseUrl: string;
let dataSource: DataSource;
let producer: Producer;
let server: KafkaInboxServer;
/** The id of the event the handler applied last. */
let lastHandled: string | undefined;
/** Crashes once at 'consumer.after-commit' for each event id put here. */
const crashAfterCommit = new Set<string>();

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

const send = (key: string, ...values: (string | OrderPlaced)[]) =>
  producer.send({
    topic: Topics.orderEvents,
    messages: values.map((value) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })),
  });

const timesApplied = async (eventId: string): Promise<number> =>
  Number((await dataSource.query(`SELECT count(*) AS n FROM effects WHERE event_id = $1`, [eventId]))[0].n);

beforeAll(async () => {
  databaseUrl = await createDatabase(postgresUrl, 'inbox_it');
  dataSource = new DataSource({ type: 'postgres', url: databaseUrl, migrations: outboxMigrations });
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
    { ...defaultConsumerOptions, groupId: `inbox-it-${randomUUID()}`, retryInitialMs: 20, retryMaxMs: 100 },
    faults,
    new ConsumerGate(),
  );
  server.addHandler(
    'OrderPlaced',
    async (event: OrderPlaced, context: InboxContext) => {
      await context.transaction.query(`INSERT INTO effects (event_id) VALUES ($1)`, [event.id]);
      lastHandled = event.id;
    },
    true,
  );
  await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
});

afterAll(async () => {
  await server?.close();
  await producer?.disconnect();
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

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

  it('skips a malformed message without blocking the events behind it in its partition', async () => {
    const orderId = randomUUID();
    const after = orderPlaced(orderId);

    await send(orderId, '{ not json', JSON.stringify({ ...orderPlaced(orderId), type: 'OrderTeleported' }), after);

    await eventually(
      () => timesApplied(after.id),
      (n) => n === 1,
      { what: 'event behind the bad ones applied' },
    );
  });
});
