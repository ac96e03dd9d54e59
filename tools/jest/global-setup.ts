import { startInfrastructure } from '@saga/testing';
import { Kafka, logLevel } from 'kafkajs';

/** Starts (or finds) Kafka and Postgres once for a test run, and tells the tests where they are. */
export default async function globalSetup(): Promise<void> {
  const infrastructure = await startInfrastructure();
  process.env.TEST_KAFKA_BROKERS = infrastructure.kafkaBrokers.join(',');
  process.env.TEST_POSTGRES_URL = infrastructure.postgresUrl;
  if (infrastructure.serviceKafkaBrokers) {
    process.env.TEST_SERVICE_KAFKA_BROKERS = infrastructure.serviceKafkaBrokers.join(',');
  }
  if (infrastructure.containers) process.env.TEST_CONTAINERS = JSON.stringify(infrastructure.containers);
  // Fail here, once and clearly, when the broker does not answer. Tests create topics of their own.
  const admin = new Kafka({ brokers: infrastructure.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect().catch(async (error: Error) => {
    await infrastructure.stop(); // Jest runs no teardown after a failed setup
    throw new Error(
      `Kafka does not answer at ${infrastructure.kafkaBrokers.join(',')} (${error.message}). ` +
        'Start it with `npm run infra:up`, or run where a container engine answers (Testcontainers).',
      { cause: error },
    );
  });
  await admin.disconnect();
  (globalThis as { sagaInfrastructure?: typeof infrastructure }).sagaInfrastructure = infrastructure;
  const where =
    infrastructure.source === 'testcontainers'
      ? 'containers started by Testcontainers'
      : 'the environment (KAFKA_BROKERS, POSTGRES_URL; start them with `npm run infra:up`)';
  console.log(
    `\nTest infrastructure from ${where}: Kafka ${process.env.TEST_KAFKA_BROKERS}, ` +
      `Postgres ${new URL(infrastructure.postgresUrl).host}\n`,
  );
}
