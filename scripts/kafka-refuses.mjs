#!/usr/bin/env node
/**
 * Checks that a broker of the compose stacks holds the services to their part: signed in as the payment service, a
 * client cannot write `order-events` (an attacker in that service forging an order), and a client that does not
 * sign in cannot even connect. Exits 0 when both are refused, 1 otherwise. scripts/smoke.sh runs it.
 *
 *   node scripts/kafka-refuses.mjs      KAFKA_BROKERS (default 127.0.0.1:9092), PAYMENT_KAFKA_PASSWORD (the demo's)
 */
import kafkajs from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const password = process.env.PAYMENT_KAFKA_PASSWORD ?? 'payment-demo';
const client = (sasl) =>
  new kafkajs.Kafka({
    clientId: 'kafka-refuses',
    brokers,
    sasl,
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 0 },
  });

/** What the broker answered to `attempt`: 'allowed', or the error's type (or message). */
async function answer(attempt) {
  return attempt().then(
    () => 'allowed',
    (error) => error.type ?? error.message,
  );
}

const forged = await answer(async () => {
  const producer = client({ mechanism: 'scram-sha-512', username: 'payment', password }).producer();
  await producer.connect();
  try {
    await producer.send({ topic: 'order-events', messages: [{ key: 'forged', value: '{"type":"OrderPlaced"}' }] });
  } finally {
    await producer.disconnect();
  }
});
const anonymous = await answer(async () => {
  const admin = client(undefined).admin();
  await admin.connect();
  try {
    await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
});

console.log(`kafka-refuses: payment writing order-events: ${forged}; a client without a password: ${anonymous}`);
process.exit(forged === 'TOPIC_AUTHORIZATION_FAILED' && anonymous !== 'allowed' ? 0 : 1);
