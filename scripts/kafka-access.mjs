/**
 * The access step of a deployment whose brokers ask who is calling (compose's one-shot `kafka-access`): as the
 * brokers' admin, it creates the saga's topics and gives each service's principal exactly its rights, derived from
 * the table of who owns and reads what (libs/kafka/src/access.ts), and the UI's `viewer` read-only ones; then it
 * exits. The services start after it: they may not create topics, and find their rights in force.
 *
 * Reads KAFKA_BROKERS, KAFKA_USERNAME and KAFKA_PASSWORD (the admin's), and, like the services,
 * KAFKA_TOPIC_PREFIX, KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS. Runs again harmlessly.
 */
import { sagaTopicSpecs } from '@saga/events';
import {
  createKafka,
  credentialsFromEnv,
  deployment,
  grantServiceAccess,
  provisionTopics,
  viewerRights,
  withAdmin,
} from '@saga/kafka';

const env = process.env;
const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const prefix = env.KAFKA_TOPIC_PREFIX ?? '';
const replication = {
  factor: Number(env.KAFKA_REPLICATION_FACTOR ?? 1),
  minInSync: Number(env.KAFKA_MIN_INSYNC_REPLICAS ?? 1),
};
const counts = Object.values(replication);
if (!counts.every((n) => Number.isInteger(n) && n >= 1) || replication.minInSync > replication.factor) {
  console.error(
    'kafka-access: KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS must be whole numbers from 1, the second ' +
      `no larger than the first (got ${env.KAFKA_REPLICATION_FACTOR ?? 1} and ${env.KAFKA_MIN_INSYNC_REPLICAS ?? 1})`,
  );
  process.exit(64);
}

await withAdmin(createKafka('kafka-access', brokers, { credentials: credentialsFromEnv() }), async (admin) => {
  await provisionTopics(admin, sagaTopicSpecs(undefined, prefix, replication));
  const where = deployment(prefix);
  await grantServiceAccess(admin, where, { viewer: viewerRights(where) });
});
console.log(`kafka-access: the saga's topics exist, and each service may use its own (${brokers.join(',')})`);
