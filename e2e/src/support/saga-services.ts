/**
 * Runs the four services as real processes, built as they ship (apps/<name>/dist/main.js), against the test
 * run's Kafka and Postgres. Each run gets fresh databases and topics of its own (a topic prefix, as a second
 * deployment on a shared broker would use), so a run sees only its own records even on a broker that has served
 * other runs, or is serving the local mode. The topics are deleted when the run stops.
 */
import { sagaTopicSpecs } from '@saga/events';
import { provisionTopics, withAdmin as withKafkaAdmin } from '@saga/kafka';
import { createDatabase, dropDatabase, freePort, testInfrastructure } from '@saga/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';

export const SERVICE_NAMES = ['order', 'payment', 'inventory', 'shipping'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const root = fileURLToPath(new URL('../../../', import.meta.url));

type RunningService = {
  process: ChildProcess;
  readonly env: Record<string, string>;
  readonly port: number;
  readonly databaseUrl: string;
  readonly log: string;
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

  /** Base URL of a service's HTTP API. */
  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.services[name].port}`;
  }

  static async start(extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<SagaServices> {
    const { kafkaBrokers, postgresUrl } = testInfrastructure();
    const run = randomBytes(3).toString('hex');
    const topicPrefix = `e2e-${run}.`;
    mkdirSync(`${root}.local/logs/e2e`, { recursive: true });
    // As a deployment's init step would: the services would create them too, but four at once only race.
    await withAdmin(kafkaBrokers, (admin) => provisionTopics(admin, sagaTopicSpecs(undefined, topicPrefix)));

    const entries = await Promise.all(
      SERVICE_NAMES.map(async (name): Promise<[ServiceName, RunningService]> => {
        const databaseUrl = await createDatabase(postgresUrl, `e2e_${name}`);
        const port = await freePort();
        const env = {
          PATH: process.env.PATH ?? '',
          KAFKA_BROKERS: kafkaBrokers.join(','),
          KAFKA_TOPIC_PREFIX: topicPrefix,
          KAFKA_CONSUMER_GROUP: `${topicPrefix}${name}`,
          DATABASE_URL: databaseUrl,
          PORT: String(port),
          HOST: '127.0.0.1',
          ...extraEnv[name],
        };
        const log = `${root}.local/logs/e2e/${name}-${run}.log`;
        return [name, { process: spawnService(name, env, log), env, port, databaseUrl, log }];
      }),
    );
    const services = new SagaServices(
      Object.fromEntries(entries) as Record<ServiceName, RunningService>,
      topicPrefix,
      kafkaBrokers,
    );
    await Promise.all(SERVICE_NAMES.map((name) => services.waitUntilHealthy(name)));
    return services;
  }

  /** Stops one service (SIGTERM, as an orchestrator would); its events wait in Kafka until it is back. */
  stopService(name: ServiceName): Promise<void> {
    return this.end(name, 'SIGTERM');
  }

  /** Kills one service outright (SIGKILL: no shutdown hooks, no goodbye to Kafka), as a crash would. */
  killService(name: ServiceName): Promise<void> {
    return this.end(name, 'SIGKILL');
  }

  isRunning(name: ServiceName): boolean {
    const child = this.services[name].process;
    return child.exitCode === null && child.signalCode === null;
  }

  /**
   * Starts a stopped service again, with the same database, port and consumer group, and `extraEnv` for this
   * start only (a fault to inject, say). No-op while it runs.
   */
  async startService(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<void> {
    const service = this.services[name];
    if (this.isRunning(name)) return;
    service.process = spawnService(name, { ...service.env, ...extraEnv }, service.log);
    await this.waitUntilHealthy(name);
  }

  /** Waits until the service's process has ended by itself; returns the signal that ended it, if any. */
  async untilExited(name: ServiceName, timeoutMs = 30_000): Promise<NodeJS.Signals | null> {
    const child = this.services[name].process;
    if (this.isRunning(name)) {
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

  private async end(name: ServiceName, signal: NodeJS.Signals): Promise<void> {
    const child = this.services[name].process;
    if (!this.isRunning(name)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Polls /health until 200; fails at once if the process ends meanwhile (a crash is not something to wait out). */
  private async waitUntilHealthy(name: ServiceName): Promise<void> {
    const service = this.services[name];
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!this.isRunning(name)) {
        const { exitCode, signalCode } = service.process;
        throw new ServiceExited(`${name} exited (${signalCode ?? `code ${exitCode}`}); see ${service.log}`);
      }
      const status = await fetch(`${this.url(name)}/health`).then(
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
