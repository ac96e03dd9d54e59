import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, portVariable, serviceConfigSchema } from './config.js';

const schema = serviceConfigSchema.extend({ PORT: portVariable(3001) });
const valid = { KAFKA_BROKERS: '127.0.0.1:9092, kafka:9092', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/order' };

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('loadConfig', () => {
  it('parses and applies defaults', () => {
    expect(loadConfig(schema, valid)).toEqual({
      KAFKA_BROKERS: ['127.0.0.1:9092', 'kafka:9092'],
      DATABASE_URL: valid.DATABASE_URL,
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_SESSION_TIMEOUT_MS: 30_000,
      KAFKA_REPLICATION_FACTOR: 1,
      KAFKA_MIN_INSYNC_REPLICAS: 1,
      INBOX_RETENTION_MS: 7 * 24 * 60 * 60_000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'log',
      LOG_FORMAT: 'json',
      FAULT_CRASH_AFTER: 1,
      FAULT_DELAY_MS: 0,
      SAGA_OUTBOX: 'on',
      SAGA_INBOX: 'on',
      PORT: 3001,
      RATE_LIMIT_WRITES_PER_MINUTE: 1200,
    });
  });

  it('names every missing variable', () => {
    expect(problemsOf({})).toEqual(['KAFKA_BROKERS is required', 'DATABASE_URL is required']);
  });

  it('names malformed variables and says what is expected', () => {
    const problems = problemsOf({ ...valid, KAFKA_BROKERS: 'localhost', PORT: '70000' });
    expect(problems).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS.*host:port/),
      expect.stringMatching(/^PORT: .*65535/),
    ]);
  });
});
