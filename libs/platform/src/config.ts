/**
 * Each service reads its configuration once, at start, through a schema. A missing or malformed variable stops
 * the process with a message naming it, instead of failing later somewhere far from the cause.
 */
import { delayPoints, faultPoints } from '@saga/runtime';
import { z } from 'zod';

const brokerList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[\w.-]+:\d{1,5}$/, 'each broker must be host:port')).min(1));

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/.+\/[^/?]+/.test(value), 'must look like postgres://user@host:5432/database');

/** What every service needs. Services extend it with their own variables. */
export const serviceConfigSchema = z.object({
  KAFKA_BROKERS: brokerList,
  /**
   * The service's own principal on the brokers (SASL/SCRAM-SHA-512), which they grant only its rights (see
   * @saga/kafka access.ts). Both or neither: unset, the service connects to an open broker, as in the local mode.
   */
  KAFKA_USERNAME: z.string().min(1).optional(),
  KAFKA_PASSWORD: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl,
  /** Defaults to the service's name. A second copy of the system on the same broker needs its own groups. */
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional(),
  /** Put before every topic name. Lets several copies of the system (or test runs) share one broker. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[\w.-]*$/, 'may contain only letters, digits, ".", "_" and "-"')
    .default(''),
  /**
   * Copies of every partition, and how many must have a record before it counts as written (see Replication in
   * @saga/events). 1 and 1 for one broker; 3 and 2 for the three-broker cluster. Existing topics are checked.
   */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(7).default(1),
  /** Fails over to another member of the group after this long without a heartbeat (a crashed process). */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /**
   * How long the inbox remembers an applied event. A copy arriving later is applied again, so this must outlast
   * any redelivery: redrive dead letters within it (docs/inbox-and-idempotency.md).
   */
  INBOX_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(60 * 60_000)
    .default(7 * 24 * 60 * 60_000),
  HOST: z.string().default('0.0.0.0'),
  /** Writes (POST, PUT, DELETE) one client may make a minute; the next is refused with 429. 0: no limit. */
  RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** `json`: a JSON object per line, with the order, event and trace ids (for a log pipeline); `pretty`: for a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** Fault injection, for tests and demonstrations only: kill the process at this point (see @saga/runtime fault-hook.ts, and @saga/lab). */
  FAULT_CRASH_AT: z.enum(faultPoints).optional(),
  /** ...the nth time it gets there. */
  FAULT_CRASH_AFTER: z.coerce.number().int().min(1).default(1),
  /** Fault injection: wait FAULT_DELAY_MS every time the process reaches this point (a view held behind, say). */
  FAULT_DELAY_AT: z.enum(delayPoints).optional(),
  FAULT_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** Broken on purpose, for teaching: 'off' shows what the outbox and the inbox prevent. Never in production. */
  SAGA_OUTBOX: z.enum(['on', 'off']).default('on'),
  SAGA_INBOX: z.enum(['on', 'off']).default('on'),
  /**
   * `production` refuses to start with what only a demo or a lesson may use: the demo issuer of tokens, fault
   * injection, the outbox or the inbox off.
   */
  SAGA_DEPLOYMENT: z.enum(['demo', 'production']).default('demo'),
  /** Your identity provider's published keys (its JWKS URL). Unset: the demo issuer, whose key is public. */
  AUTH_JWKS_URL: z.url().optional(),
  /** The issuer (`iss`) of your provider's tokens; needed with AUTH_JWKS_URL. */
  AUTH_ISSUER: z.string().min(1).optional(),
  /** The audience (`aud`) a token must name: this system. */
  AUTH_AUDIENCE: z.string().min(1).default('kafka-order-saga'),
  /** Where a token lists its roles (customer, admin): a claim, or a dotted path such as realm_access.roles. */
  AUTH_ROLES_CLAIM: z
    .string()
    .regex(/^[\w-]+(\.[\w-]+)*$/, 'a claim name, or names joined by "."')
    .default('roles'),
});

export type ServiceConfig = z.output<typeof serviceConfigSchema>;

/** What the configuration may not combine: each problem named, for a ConfigError. */
export function configProblems(config: ServiceConfig): string[] {
  const problems: string[] = [];
  if (config.AUTH_JWKS_URL && !config.AUTH_ISSUER) problems.push('AUTH_ISSUER is required with AUTH_JWKS_URL');
  if (config.AUTH_ISSUER && !config.AUTH_JWKS_URL) problems.push('AUTH_JWKS_URL is required with AUTH_ISSUER');
  if (Boolean(config.KAFKA_USERNAME) !== Boolean(config.KAFKA_PASSWORD)) {
    problems.push('KAFKA_USERNAME and KAFKA_PASSWORD go together: set both, or neither for an open broker');
  }
  if (config.SAGA_DEPLOYMENT === 'production') {
    const refused = (variable: string, why: string) =>
      problems.push(`${variable}: not in production (SAGA_DEPLOYMENT=production): ${why}`);
    if (!config.AUTH_JWKS_URL) {
      refused(
        'AUTH_JWKS_URL unset',
        'the demo issuer signs with a key published in the repository; name your provider',
      );
    } else if (new URL(config.AUTH_JWKS_URL).protocol !== 'https:') {
      refused('AUTH_JWKS_URL over plain HTTP', 'whoever sits between could hand the services keys of its own');
    }
    if (!config.KAFKA_USERNAME) {
      refused('KAFKA_USERNAME unset', 'on an open broker anyone could write any service’s events');
    }
    if (config.FAULT_CRASH_AT) refused('FAULT_CRASH_AT', 'it kills the process on purpose');
    if (config.FAULT_DELAY_AT) refused('FAULT_DELAY_AT', 'it slows the process on purpose');
    if (config.SAGA_OUTBOX === 'off') refused('SAGA_OUTBOX=off', 'it loses events on purpose');
    if (config.SAGA_INBOX === 'off') refused('SAGA_INBOX=off', 'it applies redelivered events twice on purpose');
  }
  return problems;
}

/**
 * The service's consumer group: KAFKA_CONSUMER_GROUP, or its name. Its views' groups and its transactional ids
 * begin with it.
 */
export const consumerGroupOf = (config: ServiceConfig, serviceName: string): string =>
  config.KAFKA_CONSUMER_GROUP ?? serviceName;

export const portVariable = (defaultPort: number) => z.coerce.number().int().min(1).max(65_535).default(defaultPort);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with `schema`; throws a ConfigError listing every problem, each named by its variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return env[name] === undefined ? `${name} is required` : `${name}: ${issue.message} (got "${env[name]}")`;
    }),
  );
}
