import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';

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

export function createKafka(clientId: string, brokers: string[], level = logLevel.WARN): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: level,
    logCreator,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 5_000 },
  });
}
