/**
 * Each service's rights on the brokers, as the table of participants gives them: what a service owns it may write,
 * what it consumes it may read, and nothing of another's may it write. The broker's side of it (a principal
 * refused) is shown end to end, in e2e/src/bad-input.e2e-spec.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { SERVICES, sagaParticipants, Topics } from '@saga/events';
import kafkajs from 'kafkajs';
import { aclEntries, deployment, rightsOf, type Right } from './access.js';

const { AclOperationTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const says = (rights: Right[]) =>
  rights.map(({ operation, resource, name, prefixed }) => `${operation} ${resource} ${name}${prefixed ? '*' : ''}`);

describe('rightsOf', () => {
  it('lets the payment service write its events, read what it reacts to and the orders, and use its groups', () => {
    const rights = says(rightsOf('payment', deployment()));
    expect(rights).toEqual(
      expect.arrayContaining([
        'WRITE TOPIC payment-events',
        'READ TOPIC order-events',
        'READ TOPIC orders',
        'WRITE TOPIC order-events.dlq',
        'WRITE TOPIC orders.dlq',
        'DESCRIBE_CONFIGS TOPIC shipping-events',
        'READ GROUP payment',
        'READ GROUP payment.order-view',
        'DELETE GROUP payment.order-view', // a view read again from offset 0
        'WRITE TRANSACTIONAL_ID payment.*',
      ]),
    );
    expect(rights).not.toContain('WRITE TOPIC order-events');
    expect(rights).not.toContain('DELETE GROUP payment'); // its saga consumer's offsets are not to be thrown away
    expect(rights).not.toContain('READ TOPIC shipping-events');
    expect(rights.filter((right) => right.startsWith('WRITE TOPIC'))).toEqual([
      'WRITE TOPIC payment-events',
      'WRITE TOPIC order-events.dlq',
      'WRITE TOPIC orders.dlq',
    ]);
  });

  it('lets the order service alone write the order snapshots, and read no view of them', () => {
    const writers = SERVICES.filter((service) => says(rightsOf(service, deployment())).includes('WRITE TOPIC orders'));
    expect(writers).toEqual(['order']);
    expect(says(rightsOf('order', deployment()))).not.toContain('READ TOPIC orders');
  });

  it('lets no service write a topic another service owns, nor create or delete any topic', () => {
    for (const service of SERVICES) {
      const others = SERVICES.filter((other) => other !== service).flatMap((other) => sagaParticipants[other].writes);
      const rights = says(rightsOf(service, deployment()));
      expect({
        service,
        writes: rights.filter((right) => others.some((topic) => right === `WRITE TOPIC ${topic}`)),
      }).toEqual({ service, writes: [] });
      expect(rights.filter((right) => /^(CREATE|DELETE) TOPIC/.test(right))).toEqual([]);
    }
  });

  it("names the deployment's topics by its prefix, and its groups and transactional ids by its groups", () => {
    const rights = says(
      rightsOf(
        'shipping',
        deployment('blue.', (service) => `blue.${service}`),
      ),
    );
    expect(rights).toEqual(
      expect.arrayContaining([
        `WRITE TOPIC blue.${Topics.shippingEvents}`,
        'READ TOPIC blue.inventory-events',
        'READ GROUP blue.shipping',
        'READ GROUP blue.shipping.order-view',
        'WRITE TRANSACTIONAL_ID blue.shipping.*',
      ]),
    );
    expect(rights.filter((right) => / (?!blue\.)[^ ]+$/.test(right))).toEqual([]);
  });
});

describe('aclEntries', () => {
  it('allows the principal each right, on a literal name or on a prefix', () => {
    const [topic, transactions] = aclEntries('payment', [
      { operation: 'WRITE', resource: 'TOPIC', name: 'payment-events' },
      { operation: 'WRITE', resource: 'TRANSACTIONAL_ID', name: 'payment.', prefixed: true },
    ]);
    expect(topic).toMatchObject({
      principal: 'User:payment',
      host: '*',
      operation: AclOperationTypes.WRITE,
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'payment-events',
      resourcePatternType: ResourcePatternTypes.LITERAL,
    });
    expect(transactions).toMatchObject({
      resourceType: AclResourceTypes.TRANSACTIONAL_ID,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
    });
  });
});
