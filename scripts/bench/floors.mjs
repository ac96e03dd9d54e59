// The floors: what the broker and the database can do on this machine, measured in the same run as the saga, so
// that every figure of the saga can be read as a share of what the machine allows.
//   - a plain kafkajs producer (idempotent, acks=all, batches of 500 records of ~500 bytes), and the same in
//     Kafka transactions, with the relay's producer settings;
//   - one record's way from a producer to a consumer (read_committed), one at a time;
//   - a transaction the size of a saga handler's (inbox row, state upsert, outbox row), at concurrency 1 and 8.
import { randomUUID } from 'node:crypto';
import { defaultRelayOptions, laneProducerConfig } from '@saga/outbox';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { scratchDatabase, summary } from './stats.mjs';

const { Partitioners, logLevel } = kafkajs;
const PAYLOAD = JSON.stringify({ type: 'BenchEvent', note: 'x'.repeat(440) }); // ~500 bytes, like a saga event

export async function measureFloors({ kafka, prefix, postgresUrl, seconds }) {
  const topic = `${prefix}floor`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return {
    producer: await plainProducer(kafka, topic, seconds, false),
    transactionalProducer: await plainProducer(kafka, topic, seconds, true),
    hop: await produceToConsume(kafka, topic, seconds),
    postgres: postgresUrl ? await handlerTransactions(postgresUrl, prefix, seconds) : undefined,
  };
}

/** Records per second through one producer, sending batches of 500 one after the other for `seconds`. */
async function plainProducer(kafka, topic, seconds, transactional) {
  const producer = kafka.producer(
    transactional
      ? laneProducerConfig(`${topic}.bench-${randomUUID()}`, defaultRelayOptions.sendTimeLimitMs) // as the relay's
      : { idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner },
  );
  await producer.connect();
  try {
    const batch = () => Array.from({ length: 500 }, () => ({ key: randomUUID(), value: PAYLOAD }));
    const send = async () => {
      if (!transactional) return producer.send({ topic, acks: -1, messages: batch() });
      const transaction = await producer.transaction();
      await transaction.send({ topic, acks: -1, messages: batch() });
      await transaction.commit();
    };
    await send(); // connections and metadata
    let sent = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      await send();
      sent += 500;
    }
    return { recordsPerSecond: sent / ((performance.now() - started) / 1000) };
  } finally {
    await producer.disconnect();
  }
}

/** The time from `send` to the consumer's hands, one record at a time, for `seconds`. */
async function produceToConsume(kafka, topic, seconds) {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${topic}.hop-${randomUUID()}`, maxWaitTimeInMs: 500 });
  await Promise.all([producer.connect(), consumer.connect()]);
  const marker = randomUUID();
  let arrived;
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    const assigned = untilAssigned(consumer);
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === marker) arrived?.(performance.now());
      },
    });
    await assigned;
    const samples = [];
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      const received = new Promise((resolve) => (arrived = resolve));
      const sent = performance.now();
      await producer.send({ topic, acks: -1, messages: [{ key: marker, value: PAYLOAD }] });
      samples.push((await received) - sent);
    }
    return summary(samples.slice(5)); // the first ones warm the connections up
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
  }
}

function untilAssigned(consumer) {
  return new Promise((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      setTimeout(resolve, 500); // the fetch loop starts right after the join
    });
  });
}

/** Handler-sized transactions per second on their own database, at concurrency 1 and 8. */
async function handlerTransactions(postgresUrl, prefix, seconds) {
  const database = await scratchDatabase(postgresUrl, `${prefix.replace(/\W/g, '_')}floor`);
  const pool = new pg.Pool({ connectionString: database.url, max: 8 });
  pool.on('error', () => undefined); // an idle connection ended by the DROP DATABASE below
  try {
    await pool.query(`
      CREATE TABLE inbox (consumer text, event_id uuid, processed_at timestamptz DEFAULT now(),
                          PRIMARY KEY (consumer, event_id));
      CREATE TABLE state (order_id uuid PRIMARY KEY, status text, version int, updated_at timestamptz);
      CREATE TABLE outbox (id bigserial PRIMARY KEY, event_id uuid, topic text, message_key text, payload jsonb,
                           created_at timestamptz DEFAULT now(), published_at timestamptz);`);
    const once = async () => {
      const client = await pool.connect();
      const order = randomUUID();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO inbox (consumer, event_id) VALUES ('bench', $1) ON CONFLICT DO NOTHING`, [
          randomUUID(),
        ]);
        await client.query(
          `INSERT INTO state VALUES ($1, 'PAID', 1, now())
           ON CONFLICT (order_id) DO UPDATE SET version = state.version + 1, updated_at = now()`,
          [order],
        );
        await client.query(`INSERT INTO outbox (event_id, topic, message_key, payload) VALUES ($1, 'bench', $2, $3)`, [
          randomUUID(),
          order,
          PAYLOAD,
        ]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    const rate = async (concurrency) => {
      let done = 0;
      const started = performance.now();
      const worker = async () => {
        while (performance.now() - started < seconds * 1000) {
          await once();
          done += 1;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return done / ((performance.now() - started) / 1000);
    };
    return { concurrency1: await rate(1), concurrency8: await rate(8) };
  } finally {
    await pool.end();
    await database.drop();
  }
}

export const quietKafka = (brokers) =>
  new kafkajs.Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
