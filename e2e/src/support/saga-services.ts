/**
 * Runs the four services as real processes, built as they ship (apps/<name>/dist/main.js), against the test
 * run's Kafka and Postgres. Each run gets fresh databases and its own consumer groups, placed at the end of every
 * topic, so a run sees only its own events even on a broker that has served other runs.
 */
import { Topics } from '@saga/events';
import { createDatabase, dropDatabase, eventually, freePort, testInfrastructure } from '@saga/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

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
  private constructor(private readonly services: Record<ServiceName, RunningService>) {}

  /** Base URL of a service's HTTP API. */
  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.services[name].port}`;
  }

  static async start(extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<SagaServices> {
    const { kafkaBrokers, postgresUrl } = testInfrastructure();
    const run = randomBytes(3).toString('hex');
    mkdirSync(`${root}.local/logs/e2e`, { recursive: true });

    const groups = Object.fromEntries(SERVICE_NAMES.map((name) => [name, `${name}-e2e-${run}`]));
    await placeGroupsAtEnd(kafkaBrokers, Object.values(groups));

    const entries = await Promise.all(
      SERVICE_NAMES.map(async (name): Promise<[ServiceName, RunningService]> => {
        const databaseUrl = await createDatabase(postgresUrl, `e2e_${name}`);
        const port = await freePort();
        const env = {
          PATH: process.env.PATH ?? '',
          KAFKA_BROKERS: kafkaBrokers.join(','),
          KAFKA_CONSUMER_GROUP: groups[name]!,
          DATABASE_URL: databaseUrl,
          PORT: String(port),
          HOST: '127.0.0.1',
          ...extraEnv[name],
        };
        const log = `${root}.local/logs/e2e/${name}-${run}.log`;
        return [name, { process: spawnService(name, env, log), env, port, databaseUrl, log }];
      }),
    );
    const services = new SagaServices(Object.fromEntries(entries) as Record<ServiceName, RunningService>);
    await Promise.all(SERVICE_NAMES.map((name) => services.waitUntilHealthy(name)));
    return services;
  }

  /** Stops one service (SIGTERM, as an orchestrator would); its events wait in Kafka until it is back. */
  async stopService(name: ServiceName): Promise<void> {
    const child = this.services[name].process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Starts a stopped service again, with the same database, port and consumer group. No-op while it runs. */
  async startService(name: ServiceName): Promise<void> {
    const service = this.services[name];
    if (service.process.exitCode === null && service.process.signalCode === null) return;
    service.process = spawnService(name, service.env, service.log);
    await this.waitUntilHealthy(name);
  }

  async stop(): Promise<void> {
    await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        await this.stopService(name);
        await dropDatabase(this.services[name].databaseUrl);
      }),
    );
  }

  private async waitUntilHealthy(name: ServiceName): Promise<void> {
    const service = this.services[name];
    await eventually(
      async () => {
        if (service.process.exitCode !== null) {
          throw new Error(`${name} exited with ${service.process.exitCode}; see ${service.log}`);
        }
        return (await fetch(`${this.url(name)}/health`)).status;
      },
      (status) => status === 200,
      { timeoutMs: 60_000, intervalMs: 250, what: `${name} healthy (log: ${service.log})` },
    );
  }
}

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

/**
 * Commits each group's offsets at the current end of every saga topic. Each group joins once, commits as a member
 * and leaves (kafkajs's admin.setOffsets joins once per topic and waits out a fetch each time).
 */
async function placeGroupsAtEnd(brokers: string[], groups: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-harness', brokers, logLevel: logLevel.NOTHING });
  const topics = Object.values(Topics);
  const admin = kafka.admin();
  await admin.connect();
  const ends = (
    await Promise.all(
      topics.map(async (topic) =>
        (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ topic, partition, offset: high })),
      ),
    )
  ).flat();
  await admin.disconnect();

  await Promise.all(
    groups.map(async (groupId) => {
      const consumer = kafka.consumer({ groupId });
      const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
      await consumer.connect();
      await consumer.subscribe({ topics });
      await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
      await joined;
      await consumer.commitOffsets(ends);
      await consumer.disconnect();
    }),
  );
}
