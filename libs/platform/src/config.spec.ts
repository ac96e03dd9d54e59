import { describe, expect, it } from '@jest/globals';
import { configProblems, ConfigError, loadConfig, portVariable, serviceConfigSchema } from './config.js';

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
      SAGA_DEPLOYMENT: 'demo',
      AUTH_AUDIENCE: 'kafka-order-saga',
      AUTH_ROLES_CLAIM: 'roles',
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

describe('configProblems', () => {
  const provider = {
    AUTH_JWKS_URL: 'https://id.example.com/jwks',
    AUTH_ISSUER: 'https://id.example.com/',
    KAFKA_USERNAME: 'order',
    KAFKA_PASSWORD: 'a-secret',
  };
  const problems = (env: NodeJS.ProcessEnv) => configProblems(loadConfig(schema, { ...valid, ...env }));

  it('accepts the demo as it is, and production with an identity provider', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ SAGA_DEPLOYMENT: 'production', ...provider })).toEqual([]);
  });

  it('wants the issuer and the keys of a provider together', () => {
    expect(problems({ AUTH_JWKS_URL: provider.AUTH_JWKS_URL })).toEqual(['AUTH_ISSUER is required with AUTH_JWKS_URL']);
    expect(problems({ AUTH_ISSUER: provider.AUTH_ISSUER })).toEqual(['AUTH_JWKS_URL is required with AUTH_ISSUER']);
  });

  it('wants the Kafka user and its password together', () => {
    expect(problems({ KAFKA_USERNAME: 'order' })).toEqual([
      expect.stringMatching(/^KAFKA_USERNAME and KAFKA_PASSWORD go/),
    ]);
    expect(problems({ KAFKA_PASSWORD: 'a-secret' })).toEqual([expect.stringMatching(/^KAFKA_USERNAME and KAFKA_PASS/)]);
  });

  it("refuses, in production, a provider's keys fetched over plain HTTP", () => {
    expect(
      problems({ SAGA_DEPLOYMENT: 'production', ...provider, AUTH_JWKS_URL: 'http://id.example.com/jwks' }),
    ).toEqual([expect.stringMatching(/^AUTH_JWKS_URL over plain HTTP: not in production/)]);
  });

  it('refuses, in production, the demo issuer and everything broken on purpose, naming each', () => {
    expect(
      problems({
        SAGA_DEPLOYMENT: 'production',
        FAULT_CRASH_AT: 'relay.before-send',
        SAGA_OUTBOX: 'off',
        SAGA_INBOX: 'off',
      }),
    ).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL unset: not in production .*key published in the repository/),
      expect.stringMatching(/^KAFKA_USERNAME unset: not in production .*anyone could write/),
      expect.stringMatching(/^FAULT_CRASH_AT: not in production/),
      expect.stringMatching(/^SAGA_OUTBOX=off: not in production/),
      expect.stringMatching(/^SAGA_INBOX=off: not in production/),
    ]);
  });
});
