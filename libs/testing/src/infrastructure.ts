/**
 * The infrastructure that integration and end-to-end tests run against: real Kafka, real Postgres.
 * Where a container engine answers, Testcontainers starts them (the same Apache Kafka version as everywhere
 * else in the project); otherwise the tests use the broker and server named by the environment.
 */
import { SERVICES, type ServiceName } from '@saga/events';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export type Infrastructure = {
  readonly source: 'testcontainers' | 'environment';
  /** Where the tests themselves reach Kafka: as its operator, free to do anything. */
  readonly kafkaBrokers: string[];
  /**
   * Where the services under test reach the same Kafka, when it asks them who they are: each signs in as its own
   * principal (serviceCredentials), with only its rights. Absent for an open broker (the environment's).
   */
  readonly serviceKafkaBrokers?: string[];
  /** Admin connection to the server; tests create their own databases on it. */
  readonly postgresUrl: string;
  /** The containers' ids, when Testcontainers started them (outage tests stop and start them). */
  readonly containers?: { kafka: string; postgres: string };
  stop(): Promise<void>;
};

export const POSTGRES_IMAGE = 'postgres:17-alpine';

const signedInBrokerScript = fileURLToPath(new URL('../../../infra/kafka/signed-in-broker.sh', import.meta.url));

/**
 * What makes a test broker ask the services to sign in, on a listener named SERVICES (SCRAM, the users of
 * serviceCredentials), and hold each to its ACLs, while every other listener lets the tests in as the operator
 * (an anonymous super user, on a throwaway broker only). The same start script as compose's brokers.
 */
export const accessControl = {
  files: [{ source: signedInBrokerScript, target: '/opt/saga/signed-in-broker.sh' }],
  command: ['bash', '/opt/saga/signed-in-broker.sh'],
  environment: {
    SCRAM_USERS: SERVICES.map((name) => `${name}=${serviceCredentials(name).password}`).join(' '),
    KAFKA_SASL_ENABLED_MECHANISMS: 'SCRAM-SHA-512',
    KAFKA_LISTENER_NAME_SERVICES_SCRAM___SHA___512_SASL_JAAS_CONFIG:
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    KAFKA_AUTHORIZER_CLASS_NAME: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    KAFKA_SUPER_USERS: 'User:ANONYMOUS',
    KAFKA_LOG_DIRS: '/var/lib/kafka/data',
  },
};

/** How a service under test signs in to the tests' broker (the broker is given these users when it starts). */
export function serviceCredentials(service: ServiceName): { username: string; password: string } {
  return { username: service, password: `${service}-test-secret` };
}

/** The one Kafka version of the project, from infra/kafka/kafka.env. */
export function kafkaVersion(): string {
  const env = readFileSync(new URL('../../../infra/kafka/kafka.env', import.meta.url), 'utf8');
  const version = /^KAFKA_VERSION=(\S+)$/m.exec(env)?.[1];
  if (!version) throw new Error('infra/kafka/kafka.env does not set KAFKA_VERSION');
  return version;
}

export async function startInfrastructure(): Promise<Infrastructure> {
  const mode = process.env.SAGA_TEST_INFRA ?? 'auto';
  if (!['auto', 'testcontainers', 'environment'].includes(mode)) {
    throw new Error(`SAGA_TEST_INFRA must be auto, testcontainers or environment, not "${mode}"`);
  }
  if (mode === 'testcontainers') return startContainers();
  if (mode === 'auto' && (await containerEngineAnswers())) {
    try {
      return await startContainers();
    } catch (error) {
      // An engine that cannot pull an image (an offline network, say) is no reason to refuse a broker that runs.
      console.warn(
        `\nTestcontainers could not start Kafka and Postgres (${(error as Error).message}); using the ` +
          'environment instead. SAGA_TEST_INFRA=testcontainers makes this an error.\n',
      );
    }
  }
  return fromEnvironment();
}

async function containerEngineAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

function fromEnvironment(): Infrastructure {
  const kafkaBrokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
  const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  return { source: 'environment', kafkaBrokers, postgresUrl, stop: async () => undefined };
}

async function startContainers(): Promise<Infrastructure> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  await removeAbandonedContainers();
  const labels = { [RUN_LABEL]: `${hostname()}:${process.pid}` };

  // Kafka tells clients the address to reconnect to, so that address must be known before it starts:
  // take free ports and publish the container's listeners on the same ports of the host. Postgres gets a fixed
  // host port too, so that an outage test can stop and start it and the services find it where it was.
  const [port, servicePort, postgresPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const started = await Promise.allSettled([
    new GenericContainer(`apache/kafka:${kafkaVersion()}`)
      .withLabels(labels)
      .withExposedPorts({ container: port, host: port }, { container: servicePort, host: servicePort })
      // Two doors, as in compose.yaml but for the first: PLAINTEXT for the tests, which act as the operator
      // (an anonymous super user, on this throwaway broker only), and SERVICES, where the services sign in
      // with SCRAM and the authorizer holds each to its ACLs (@saga/kafka access.ts).
      .withCopyFilesToContainer(accessControl.files)
      .withCommand(accessControl.command)
      .withEnvironment({
        ...accessControl.environment,
        CLUSTER_ID: 'c2FnYS10ZXN0LWJyb2tlcg',
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},SERVICES://0.0.0.0:${servicePort},CONTROLLER://localhost:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port},SERVICES://localhost:${servicePort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SERVICES:SASL_PLAINTEXT',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_LOG_CLEANER_BACKOFF_MS: '500',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
    new PostgreSqlContainer(POSTGRES_IMAGE)
      .withLabels(labels)
      .withUsername('postgres')
      .withPassword('postgres')
      .withExposedPorts({ container: 5432, host: postgresPort })
      .start(),
  ]);
  const [kafka, postgres] = [valueOf(started[0]), valueOf(started[1])];
  const stop = async () => {
    await Promise.all([kafka?.stop(), postgres?.stop()]);
  };
  if (!kafka || !postgres) {
    await stop(); // the one that did start, so that a failed start leaves nothing running
    const failure = started.find((result) => result.status === 'rejected');
    throw failure?.reason;
  }

  return {
    source: 'testcontainers',
    kafkaBrokers: [`localhost:${port}`],
    serviceKafkaBrokers: [`localhost:${servicePort}`],
    postgresUrl: postgres.getConnectionUri(),
    containers: { kafka: kafka.getId(), postgres: postgres.getId() },
    stop,
  };
}

/** Marks the containers of one test run: `<host>:<pid>` of the process that started them. */
export const RUN_LABEL = 'org.kafka-order-saga.test-run';

/**
 * Testcontainers' reaper (Ryuk) removes a run's containers when the run dies; where it cannot run (no image for
 * it, or TESTCONTAINERS_RYUK_DISABLED), the global teardown stops them, but a run that was killed leaves them
 * behind. The next run removes those: containers of this machine whose process is gone.
 */
async function removeAbandonedContainers(): Promise<void> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const { container } = await getContainerRuntimeClient();
  const ours = await container.dockerode.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
  for (const info of ours) {
    const [host, pid] = (info.Labels[RUN_LABEL] ?? '').split(':');
    if (host !== hostname() || processIsAlive(Number(pid))) continue;
    console.log(`Removing container ${info.Id.slice(0, 12)} (${info.Image}), left by an earlier test run`);
    await container.dockerode.getContainer(info.Id).remove({ force: true, v: true });
  }
}

const valueOf = <T>(result: PromiseSettledResult<T>): T | undefined =>
  result.status === 'fulfilled' ? result.value : undefined;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Inside an integration or e2e test: where the global setup found Kafka and Postgres. */
export const testInfrastructure = () => {
  const brokers = process.env.TEST_KAFKA_BROKERS;
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  if (!brokers || !postgresUrl) throw new Error('the Jest global setup did not run (see jest.config.js)');
  const containers = process.env.TEST_CONTAINERS;
  return {
    kafkaBrokers: brokers.split(','),
    serviceKafkaBrokers: process.env.TEST_SERVICE_KAFKA_BROKERS?.split(','),
    postgresUrl,
    containers: containers ? (JSON.parse(containers) as { kafka: string; postgres: string }) : undefined,
  };
};
