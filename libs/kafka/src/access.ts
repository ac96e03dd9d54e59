/**
 * Least privilege on the brokers. Each service signs in as a principal of its own (SASL/SCRAM), and the brokers let
 * it do what the saga's table of participants (@saga/events participants.ts) says it does, and nothing else:
 *
 * - write the topics it owns (its events; for the order service, the order snapshots too);
 * - read the topics that carry the events it reacts to, and the state topics it keeps a view of;
 * - write the dead-letter topic of each topic it reads (a poison record is set aside there);
 * - see every saga topic and its configs (each service checks them at start), but create none: the deployment's
 *   access step creates them, with the rights to do so;
 * - use its own consumer groups (and delete its views' groups: a view read again from offset 0 starts its group
 *   again) and transactional ids that begin with its group's name (the outbox relay's lanes).
 *
 * So a payment service taken over by an attacker can still write `payment-events`, but not forge an
 * `OrderCancelled` on `order-events`, nor read the shipping service's events.
 */
import {
  DEAD_LETTER_SUFFIX,
  sagaParticipants,
  sagaTopicSpecs,
  SERVICES,
  Topics,
  topicsCarrying,
  type ServiceName,
  type TopicName,
} from '@saga/events';
import kafkajs, { type AclEntry, type Admin } from 'kafkajs';

// Not among the names Node finds in kafkajs's CommonJS exports: taken from the default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** How a service signs in to the brokers. */
export type KafkaCredentials = { readonly username: string; readonly password: string };

/** Where one deployment of the saga lives on a shared cluster (the services' KAFKA_TOPIC_PREFIX and groups). */
export type Deployment = {
  readonly topicPrefix: string;
  /** The service's consumer group (its KAFKA_CONSUMER_GROUP; the service's name unless set). */
  readonly groupOf: (service: ServiceName) => string;
};

export const deployment = (
  topicPrefix = '',
  groupOf: (service: ServiceName) => string = (service) => service,
): Deployment => ({
  topicPrefix,
  groupOf,
});

/** The consumer group a service's view of a state topic reads it with: `payment.order-view`, `order.product-view`. */
export const viewGroup = (groupId: string, topic: TopicName): string => `${groupId}.${VIEW_NAMES[topic]}`;

const VIEW_NAMES: Readonly<Record<TopicName, string>> = {
  [Topics.orders]: 'order-view',
  [Topics.products]: 'product-view',
  [Topics.orderEvents]: 'order-events-view',
  [Topics.paymentEvents]: 'payment-events-view',
  [Topics.inventoryEvents]: 'inventory-events-view',
  [Topics.shippingEvents]: 'shipping-events-view',
};

type Operation = 'READ' | 'WRITE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'DELETE';
type Resource = 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID' | 'CLUSTER';

/** One right, as a reader would say it: "WRITE on TOPIC payment-events". */
export type Right = {
  readonly operation: Operation;
  readonly resource: Resource;
  readonly name: string;
  /** The right covers every name that begins with `name`. */
  readonly prefixed?: true;
};

/** Everything `service` may do on the brokers, in `where`. */
export function rightsOf(service: ServiceName, where: Deployment): Right[] {
  const { writes, reactsTo, views } = sagaParticipants[service];
  const topic = (name: string) => where.topicPrefix + name;
  const reads = [...topicsCarrying(reactsTo), ...views];
  const group = where.groupOf(service);
  return [
    ...writes.map((name): Right => ({ operation: 'WRITE', resource: 'TOPIC', name: topic(name) })),
    ...reads.map((name): Right => ({ operation: 'READ', resource: 'TOPIC', name: topic(name) })),
    ...reads.map((name): Right => ({ operation: 'WRITE', resource: 'TOPIC', name: topic(name + DEAD_LETTER_SUFFIX) })),
    ...sagaTopicSpecs(undefined, where.topicPrefix).flatMap(({ name }): Right[] => [
      { operation: 'DESCRIBE', resource: 'TOPIC', name },
      { operation: 'DESCRIBE_CONFIGS', resource: 'TOPIC', name },
    ]),
    { operation: 'READ', resource: 'GROUP', name: group },
    // A view's group is deleted to read its topic again from offset 0 (a rebuild, a view found empty).
    ...views.flatMap((view): Right[] => [
      { operation: 'READ', resource: 'GROUP', name: viewGroup(group, view) },
      { operation: 'DELETE', resource: 'GROUP', name: viewGroup(group, view) },
    ]),
    { operation: 'WRITE', resource: 'TRANSACTIONAL_ID', name: `${group}.`, prefixed: true },
  ];
}

/**
 * A viewer (the Kafka UI) reads the saga's topics and sees every group's offsets and the cluster's settings: it
 * browses, but cannot write a record, commit an offset for a group, change a config, or read the broker's own
 * topics (consumer offsets, transaction state).
 */
export function viewerRights(where: Deployment): Right[] {
  return [
    ...sagaTopicSpecs(undefined, where.topicPrefix).flatMap(({ name }): Right[] => [
      { operation: 'READ', resource: 'TOPIC', name },
      { operation: 'DESCRIBE_CONFIGS', resource: 'TOPIC', name },
    ]),
    { operation: 'DESCRIBE', resource: 'GROUP', name: '*' },
    { operation: 'DESCRIBE', resource: 'CLUSTER', name: 'kafka-cluster' },
    { operation: 'DESCRIBE_CONFIGS', resource: 'CLUSTER', name: 'kafka-cluster' },
  ];
}

/** The ACL entries that give `principal` (a SASL user name) these rights. */
export function aclEntries(principal: string, rights: readonly Right[]): AclEntry[] {
  return rights.map((right) => ({
    principal: `User:${principal}`,
    host: '*',
    operation: AclOperationTypes[right.operation],
    permissionType: AclPermissionTypes.ALLOW,
    resourceType: AclResourceTypes[right.resource],
    resourceName: right.name,
    resourcePatternType: right.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
  }));
}

/**
 * Gives each service's principal (named after the service) its rights in `where`, and `extra` principals theirs
 * (the UI's viewer, say); returns once the broker enforces them, so that a service started next finds them in
 * force. Creating an ACL that exists changes nothing, so this runs at every start of a deployment. It only adds: a
 * right the table no longer gives stays until someone deletes its ACL.
 */
export async function grantServiceAccess(
  admin: Admin,
  where: Deployment,
  extra: Readonly<Record<string, readonly Right[]>> = {},
): Promise<void> {
  const acl = [
    ...SERVICES.flatMap((service) => aclEntries(service, rightsOf(service, where))),
    ...Object.entries(extra).flatMap(([principal, rights]) => aclEntries(principal, rights)),
  ];
  await admin.createAcls({ acl });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const missing = await missingEntries(admin, acl);
    if (missing === 0) return;
    if (Date.now() > deadline) throw new Error(`${missing} ACL(s) still not in force 15 s after they were created`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How many of `acl` the broker does not list yet (it applies new ones from the cluster's metadata, a moment later). */
async function missingEntries(admin: Admin, acl: readonly AclEntry[]): Promise<number> {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  const key = (entry: AclEntry) =>
    [entry.principal, entry.resourceType, entry.resourceName, entry.resourcePatternType, entry.operation].join(' ');
  const listed = new Set(resources.flatMap((resource) => resource.acls.map((entry) => key({ ...resource, ...entry }))));
  return acl.filter((entry) => !listed.has(key(entry))).length;
}
