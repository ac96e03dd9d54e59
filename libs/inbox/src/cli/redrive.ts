/**
 * npm run redrive -- <topic> [<topic> ...]
 *
 * Sends the records dead-lettered from each saga topic (e.g. `payment-events`) back to it. Reads KAFKA_BROKERS
 * (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX and, where the brokers ask who is calling (the compose stacks),
 * KAFKA_USERNAME and KAFKA_PASSWORD: an operator's, since it writes to every service's topics.
 */
import { STATE_TOPICS, Topics } from '@saga/events';
import { createKafka, credentialsFromEnv } from '@saga/kafka';
import { logLevel } from 'kafkajs';
import { deadLetterTopic } from '../dead-letters.js';
import { redriveDeadLetters } from '../redrive.js';

// `orders` and `products` are not among them: a dead snapshot is repaired by publishing a new one (NotRedrivable).
const known: string[] = Object.values(Topics).filter((topic) => !STATE_TOPICS.includes(topic));
const topics = process.argv.slice(2);
if (topics.length === 0 || topics.some((topic) => !known.includes(topic))) {
  console.error(`usage: npm run redrive -- <${known.join('|')}> [...]`);
  if (topics.includes(Topics.orders)) {
    console.error('orders cannot be redriven; republish the current snapshots instead: npm run republish-snapshots');
  }
  process.exit(64);
}

const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = createKafka('redrive', brokers, { credentials: credentialsFromEnv(), level: logLevel.WARN });

for (const topic of topics) {
  const source = deadLetterTopic(prefix + topic);
  const { redriven, copies } = await redriveDeadLetters(kafka, {
    deadLetterTopic: source,
    groupId: `${prefix}saga.redrive`,
  });
  const others = copies ? ` (and ${copies} other consumers' dead letter(s) of the same records, not sent twice)` : '';
  console.log(`${source}: ${redriven} record(s) sent back to ${prefix}${topic}${others}`);
}
