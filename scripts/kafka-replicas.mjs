#!/usr/bin/env node
/**
 * Checks that every partition of a topic has the replicas it should, all in sync: what the three-broker profile
 * promises. Reads KAFKA_BROKERS (default 127.0.0.1:9092), and KAFKA_USERNAME and KAFKA_PASSWORD where the brokers
 * ask who is calling (the compose stacks: the admin's).
 *
 *   node scripts/kafka-replicas.mjs <topic> <replicas>
 */
import kafkajs from 'kafkajs';

const [topic, expected] = [process.argv[2], Number(process.argv[3])];
if (!topic || !expected) {
  console.error('usage: kafka-replicas.mjs <topic> <replicas>');
  process.exit(64);
}
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const { KAFKA_USERNAME: username, KAFKA_PASSWORD: password } = process.env;
const admin = new kafkajs.Kafka({
  clientId: 'kafka-replicas',
  brokers,
  sasl: username ? { mechanism: 'scram-sha-512', username, password } : undefined,
  logLevel: kafkajs.logLevel.NOTHING,
}).admin();
await admin.connect();
try {
  const [{ partitions }] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  const short = partitions.filter(({ replicas, isr }) => replicas.length !== expected || isr.length !== expected);
  const shape = partitions.map(({ partitionId, replicas, isr }) => `${partitionId}: ${isr.length}/${replicas.length}`);
  console.log(`kafka-replicas: ${topic} partitions (in sync/replicas) ${shape.join(', ')}`);
  if (short.length > 0) {
    console.error(`kafka-replicas: ${short.length} partition(s) of ${topic} do not have ${expected} replicas in sync`);
    process.exit(1);
  }
} finally {
  await admin.disconnect();
}
