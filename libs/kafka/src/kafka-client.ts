import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaCredentials } from './access.js';

const kafkaLogger = new Logger('kafkajs');

/**
 * kafkajs warns of this for every idempotent producer with bounded retries. The relay's producers are transactional:
 * a send that fails for good aborts its transaction, and the rows are sent again by a new producer.
 */
const UNHELPFUL = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** kafkajs logs through Nest's logger, so that one service writes one log. */
const logCreator =
  () =>
  ({ namespace, level, log }: LogEntry) => {
    const { message, ...extra } = log;
    if (message === UNHELPFUL) return;
    const line = `${namespace}: ${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) kafkaLogger.error(line);
    else if (level === logLevel.WARN) kafkaLogger.warn(line);
    else kafkaLogger.log(line);
  };

/**
 * A client of the saga's brokers. With `credentials`, it signs in with SASL/SCRAM-SHA-512 (the brokers of the compose
 * stacks require it, and grant each service's principal its rights: access.ts); without, it connects as nobody in
 * particular, as the local mode's open broker allows.
 */
export function createKafka(
  clientId: string,
  brokers: string[],
  { credentials, level = logLevel.WARN }: { credentials?: KafkaCredentials; level?: logLevel } = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...(credentials && { sasl: { mechanism: 'scram-sha-512', ...credentials } }),
    logLevel: level,
    logCreator,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 5_000 },
  });
}

/** KAFKA_USERNAME and KAFKA_PASSWORD, as the command-line tools read them: both, or neither (an open broker). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaCredentials | undefined {
  const { KAFKA_USERNAME: username, KAFKA_PASSWORD: password } = env;
  if (!username && !password) return undefined;
  if (!username || !password) throw new Error('Set both KAFKA_USERNAME and KAFKA_PASSWORD, or neither');
  return { username, password };
}
