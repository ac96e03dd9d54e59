/**
 * A replicated Kafka cluster for the tests that stop brokers: one KRaft controller and three brokers, in
 * containers started by Testcontainers, on a network of their own, with the access control of the test run's
 * broker (the services sign in and are held to their ACLs; the tests are the operator). The controller stays up whatever the test
 * stops, so the cluster keeps deciding (leaders, in-sync replicas) while brokers come and go: with two of three
 * brokers down, a topic with min.insync.replicas=2 refuses writes (NOT_ENOUGH_REPLICAS) instead of hanging.
 */
import { hostname } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port.js';
import { accessControl, kafkaVersion, RUN_LABEL } from './infrastructure.js';

export type KafkaCluster = {
  /** host:port of each broker, as clients on this machine reach them: the tests, as the cluster's operator. */
  readonly brokers: string[];
  /** ...and as the services under test reach them: signed in, each held to its ACLs (accessControl). */
  readonly serviceBrokers: string[];
  stopBroker(index: number): Promise<void>;
  startBroker(index: number): Promise<void>;
  stop(): Promise<void>;
};

/** Every container of the cluster starts with this id, so that they form one cluster. */
const CLUSTER_ID = 'c2FnYS1jbHVzdGVyLXRlc3Q';
const BROKERS = 3;

export async function startKafkaCluster(): Promise<KafkaCluster> {
  const { GenericContainer, Network, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const network = await new Network().start();
  const labels = { [RUN_LABEL]: `${hostname()}:${process.pid}` };
  const image = `apache/kafka:${kafkaVersion()}`;
  const shared = {
    ...accessControl.environment,
    CLUSTER_ID,
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-controller:9093',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
      'CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,HOST:PLAINTEXT,SERVICES:SASL_PLAINTEXT',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
  };

  const controller = await new GenericContainer(image)
    .withLabels(labels)
    .withNetwork(network)
    .withNetworkAliases('kafka-controller')
    .withCopyFilesToContainer(accessControl.files)
    .withCommand(accessControl.command)
    .withEnvironment({
      ...shared,
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'controller',
      KAFKA_LISTENERS: 'CONTROLLER://0.0.0.0:9093',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();

  const ports = await Promise.all(Array.from({ length: BROKERS }, () => freePort()));
  const servicePorts = await Promise.all(Array.from({ length: BROKERS }, () => freePort()));
  const brokers = await Promise.all(
    ports.map((port, index) =>
      new GenericContainer(image)
        .withLabels(labels)
        .withNetwork(network)
        .withNetworkAliases(`kafka-${index + 1}`)
        // The same ports inside and out: the address a broker advertises is the one clients here connect to.
        .withExposedPorts(
          { container: port, host: port },
          { container: servicePorts[index]!, host: servicePorts[index]! },
        )
        .withCopyFilesToContainer(accessControl.files)
        .withCommand(accessControl.command)
        .withEnvironment({
          ...shared,
          KAFKA_NODE_ID: String(index + 2),
          KAFKA_PROCESS_ROLES: 'broker',
          KAFKA_LISTENERS: `INTERNAL://0.0.0.0:19092,HOST://0.0.0.0:${port},SERVICES://0.0.0.0:${servicePorts[index]}`,
          KAFKA_ADVERTISED_LISTENERS: `INTERNAL://kafka-${index + 1}:19092,HOST://localhost:${port},SERVICES://localhost:${servicePorts[index]}`,
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
          KAFKA_DEFAULT_REPLICATION_FACTOR: String(BROKERS),
          KAFKA_MIN_INSYNC_REPLICAS: '2',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(BROKERS),
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: String(BROKERS),
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '2',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start(),
    ),
  );
  const addresses = ports.map((port) => `localhost:${port}`);
  const nodeIds = ports.map((_, index) => index + 2);
  await untilRegistered(addresses, nodeIds);

  const client = await getContainerRuntimeClient();
  return {
    brokers: addresses,
    serviceBrokers: servicePorts.map((port) => `localhost:${port}`),
    stopBroker: (index) => client.container.stop(client.container.getById(brokers[index]!.getId())),
    startBroker: async (index) => {
      const container = client.container.getById(brokers[index]!.getId());
      if (!(await container.inspect()).State.Running) await client.container.start(container);
      await untilRegistered(addresses, [nodeIds[index]!]);
    },
    stop: async () => {
      await Promise.all(brokers.map((broker) => broker.stop()));
      await controller.stop();
      await network.stop();
    },
  };
}

/** The controller knows a broker only once it has registered: until then, topics cannot have their replicas there. */
async function untilRegistered(brokers: string[], nodeIds: number[]): Promise<void> {
  const admin = new Kafka({ clientId: 'test-cluster', brokers, logLevel: logLevel.NOTHING }).admin();
  const deadline = Date.now() + 60_000;
  try {
    await admin.connect();
    for (;;) {
      const registered = await admin.describeCluster().then(
        (cluster) => cluster.brokers.map((broker) => broker.nodeId),
        (): number[] => [],
      );
      const missing = nodeIds.filter((id) => !registered.includes(id));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`brokers ${missing.join(', ')} not registered after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await admin.disconnect();
  }
}
