/**
 * Runs the four services as real processes, built as they ship (apps/<name>/dist/main.js), against the test
 * run's Kafka and Postgres. Each run gets fresh databases and topics of its own (a topic prefix, as a second
 * deployment on a shared broker would use), so a run sees only its own records even on a broker that has served
 * other runs, or is serving the local mode. The topics are deleted when the run stops.
 *
 * Where the run's broker asks who is calling (Testcontainers'), the services sign in each as its own principal,
 * with the rights a deployment's access step gives them (@saga/kafka access.ts), so that every suite runs with the
 * brokers' access control on. The tests themselves act as the broker's operator.
 *
 * A service can run as several instances (processes): they share its database and its consumer groups, as the
 * replicas of one deployment do, and each has a port of its own. Calls that name no instance mean all of them
 * (stop, start) or the first (url).
 */
import { sagaTopicSpecs, SERVICES, SINGLE_BROKER, type Replication, type ServiceName } from '@saga/events';
import { deployment, grantServiceAccess, provisionTopics, withAdmin as withKafkaAdmin } from '@saga/kafka';
import { createDatabase, dropDatabase, freePort, serviceCredentials, testInfrastructure } from '@saga/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';

export const SERVICE_NAMES = SERVICES;
export type { ServiceName };

const root = fileURLToPath(new URL('../../../', import.meta.url));

type Instance = {
  process: ChildProcess;
  readonly env: Record<string, string>;
  readonly port: number;
  readonly log: string;
};

type RunningService = { readonly databaseUrl: string; readonly instances: Instance[] };

export type StartOptions = {
  /** Processes per service (default 1). */
  readonly instances?: number;
  /** Another Kafka than the test run's (a replicated cluster of the test's own)... */
  readonly kafkaBrokers?: string[];
  /** ...where the services sign in, if it asks them to (KafkaCluster's serviceBrokers)... */
  readonly serviceKafkaBrokers?: string[];
  /** ...and the replication its topics get (one copy unless told). */
  readonly replication?: Replication;
};

export class SagaServices {
  private constructor(
    private readonly services: Record<ServiceName, RunningService>,
    /** Put before every topic name of this run. */
    readonly topicPrefix: string,
    readonly kafkaBrokers: string[],
  ) {}

  /** The run's name for a saga topic. */
  topic(name: string): string {
    return this.topicPrefix + name;
  }

  /** Runs SQL in a service's own database, for tests that look (or reach) behind its API. */
  async query<Row = Record<string, unknown>>(name: ServiceName, sql: string): Promise<Row[]> {
    const db = new pg.Client({ connectionString: this.services[name].databaseUrl });
    await db.connect();
    try {
      return (await db.query(sql)).rows as Row[];
    } finally {
      await db.end();
    }
  }

  /** Base URL of the HTTP API of one instance of a service (the first unless told). */
  url(name: ServiceName, instance = 0): string {
    return `http://127.0.0.1:${this.instance(name, instance).port}`;
  }

  /** What one instance of a service has logged so far. */
  logOf(name: ServiceName, instance = 0): string {
    return readFileSync(this.instance(name, instance).log, 'utf8');
  }

  /** How many instances each service runs. */
  instanceCount(name: ServiceName): number {
    return this.services[name].instances.length;
  }

  static async start(
    extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {},
    { instances: count = 1, replication = SINGLE_BROKER, ...options }: StartOptions = {},
  ): Promise<SagaServices> {
    const { postgresUrl, ...infrastructure } = testInfrastructure();
    const kafkaBrokers = options.kafkaBrokers ?? infrastructure.kafkaBrokers;
    // Where the broker asks who is calling, each service signs in as itself and may do only what its ACLs allow.
    const signedIn = options.kafkaBrokers ? options.serviceKafkaBrokers : infrastructure.serviceKafkaBrokers;
    const run = randomBytes(3).toString('hex');
    const topicPrefix = `e2e-${run}.`;
    const groupOf = (name: ServiceName) => `${topicPrefix}${name}`;
    mkdirSync(`${root}.local/logs/e2e`, { recursive: true });
    // As a deployment's access step would: the services may not create topics, and four at once would only race.
    await withAdmin(kafkaBrokers, async (admin) => {
      await provisionTopics(admin, sagaTopicSpecs(undefined, topicPrefix, replication));
      if (signedIn) await grantServiceAccess(admin, deployment(topicPrefix, groupOf));
    });

    const specs = await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        const databaseUrl = await createDatabase(postgresUrl, `e2e_${name}`);
        const instances = await Promise.all(
          Array.from({ length: count }, async (_, index) => {
            const port = await freePort();
            const env = {
              PATH: process.env.PATH ?? '',
              ...(signedIn
                ? {
                    KAFKA_BROKERS: signedIn.join(','),
                    KAFKA_USERNAME: serviceCredentials(name).username,
                    KAFKA_PASSWORD: serviceCredentials(name).password,
                  }
                : { KAFKA_BROKERS: kafkaBrokers.join(',') }),
              KAFKA_TOPIC_PREFIX: topicPrefix,
              KAFKA_CONSUMER_GROUP: groupOf(name),
              KAFKA_REPLICATION_FACTOR: String(replication.factor),
              KAFKA_MIN_INSYNC_REPLICAS: String(replication.minInSync),
              DATABASE_URL: databaseUrl,
              PORT: String(port),
              HOST: '127.0.0.1',
              ...extraEnv[name],
            };
            const log = `${root}.local/logs/e2e/${name}${count > 1 ? `.${index + 1}` : ''}-${run}.log`;
            return { env, port, log };
          }),
        );
        return { name, databaseUrl, instances };
      }),
    );
    const running = (databaseUrl: string): RunningService => ({ databaseUrl, instances: [] });
    const services = new SagaServices(
      Object.fromEntries(specs.map(({ name, databaseUrl }) => [name, running(databaseUrl)])) as Record<
        ServiceName,
        RunningService
      >,
      topicPrefix,
      kafkaBrokers,
    );
    await Promise.all(
      specs.map(async ({ name, instances }) => {
        // The first instance migrates the service's database alone; the others start once it is healthy.
        for (const [index, instance] of instances.entries()) {
          services.services[name].instances.push({
            ...instance,
            process: spawnService(name, instance.env, instance.log),
          });
          if (index === 0) await services.waitUntilHealthy(name, 0);
        }
        await Promise.all(instances.map((_, index) => services.waitUntilHealthy(name, index)));
      }),
    );
    return services;
  }

  /** Stops a service, every instance unless one is named (SIGTERM, as an orchestrator would). */
  stopService(name: ServiceName, instance?: number): Promise<void> {
    return this.end(name, 'SIGTERM', instance);
  }

  /** Kills a service outright (SIGKILL: no shutdown hooks, no goodbye to Kafka), as a crash would. */
  killService(name: ServiceName, instance?: number): Promise<void> {
    return this.end(name, 'SIGKILL', instance);
  }

  /** Whether the instance runs; with none named, whether every instance does. */
  isRunning(name: ServiceName, instance?: number): boolean {
    return this.indexes(name, instance).every((index) => {
      const child = this.instance(name, index).process;
      return child.exitCode === null && child.signalCode === null;
    });
  }

  /**
   * Starts a stopped service again (every instance of it unless one is named), with the same database, port and
   * consumer group, and `extraEnv` for this start only (a fault to inject, say). No-op for what runs.
   */
  async startService(name: ServiceName, extraEnv: Record<string, string> = {}, instance?: number): Promise<void> {
    await Promise.all(
      this.indexes(name, instance).map(async (index) => {
        if (this.isRunning(name, index)) return;
        const running = this.instance(name, index);
        running.process = spawnService(name, { ...running.env, ...extraEnv }, running.log);
        await this.waitUntilHealthy(name, index);
      }),
    );
  }

  /** Waits until the service's (first) process has ended by itself; returns the signal that ended it, if any. */
  async untilExited(name: ServiceName, timeoutMs = 30_000): Promise<NodeJS.Signals | null> {
    const child = this.instance(name, 0).process;
    if (this.isRunning(name, 0)) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} still runs after ${timeoutMs} ms`)), timeoutMs);
        child.once('exit', () => resolve(clearTimeout(timer)));
      });
    }
    return child.signalCode;
  }

  async stop(): Promise<void> {
    await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        await this.stopService(name);
        await dropDatabase(this.services[name].databaseUrl);
      }),
    );
    await this.withAdmin((admin) =>
      admin.deleteTopics({ topics: sagaTopicSpecs(undefined, this.topicPrefix).map((spec) => spec.name) }),
    );
  }

  /** A Kafka admin client on the run's broker, for the length of `work`. */
  async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Kafka({
      clientId: 'e2e-harness',
      brokers: this.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  private instance(name: ServiceName, index: number): Instance {
    const instance = this.services[name].instances[index];
    if (!instance) throw new Error(`${name} has no instance ${index}`);
    return instance;
  }

  private indexes(name: ServiceName, instance?: number): number[] {
    return instance === undefined ? this.services[name].instances.map((_, index) => index) : [instance];
  }

  private async end(name: ServiceName, signal: NodeJS.Signals, instance?: number): Promise<void> {
    await Promise.all(
      this.indexes(name, instance).map(async (index) => {
        const child = this.instance(name, index).process;
        if (!this.isRunning(name, index)) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        await exited;
      }),
    );
  }

  /** Polls /health until 200; fails at once if the process ends meanwhile (a crash is not something to wait out). */
  private async waitUntilHealthy(name: ServiceName, index: number): Promise<void> {
    const service = this.instance(name, index);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!this.isRunning(name, index)) {
        const { exitCode, signalCode } = service.process;
        throw new ServiceExited(`${name} exited (${signalCode ?? `code ${exitCode}`}); see ${service.log}`);
      }
      const status = await fetch(`${this.url(name, index)}/health`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(`${name} not healthy after 60 s (last status ${status}); see ${service.log}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A service's process ended while the harness waited for it to become healthy. */
export class ServiceExited extends Error {}

function spawnService(name: ServiceName, env: Record<string, string>, log: string): ChildProcess {
  const child = spawn(process.execPath, [`${root}apps/${name}/dist/main.js`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(log, { flags: 'a' });
  child.stdout!.pipe(file);
  child.stderr!.pipe(file);
  return child;
}

const withAdmin = <T>(brokers: string[], work: (admin: Admin) => Promise<T>): Promise<T> =>
  withKafkaAdmin(new Kafka({ clientId: 'e2e-harness', brokers, logLevel: logLevel.NOTHING }), work);
