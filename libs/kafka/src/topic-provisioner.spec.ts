/**
 * Topics another service has just created may be unknown, for a moment, to the broker asked about them: reading
 * their configs is retried then, not fatal (a service of the three-broker compose stack once died of it at start).
 * Kafka is replaced by a stand-in; topic-provisioner.int-spec.ts runs the real thing.
 */
import { describe, expect, it } from '@jest/globals';
import type { TopicSpec } from '@saga/events';
import type { Admin } from 'kafkajs';
import { provisionTopics } from './topic-provisioner.js';

const spec: TopicSpec = {
  name: 'orders',
  partitions: 6,
  replicationFactor: 3,
  configs: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
};

/** kafkajs's error for a topic the broker does not know (yet). */
const notHostedHere = Object.assign(new Error('This server does not host this topic-partition'), {
  type: 'UNKNOWN_TOPIC_OR_PARTITION',
});

describe('provisioning topics', () => {
  it("waits while a broker does not know an existing topic's configs yet, then checks them", async () => {
    let asked = 0;
    const admin = {
      listTopics: async () => ['orders'],
      fetchTopicMetadata: async () => ({
        topics: [{ name: 'orders', partitions: Array.from({ length: 6 }, () => ({ replicas: [1, 2, 3] })) }],
      }),
      describeConfigs: async () => {
        asked += 1;
        if (asked < 3) throw notHostedHere;
        const configEntries = Object.entries(spec.configs).map(([configName, configValue]) => ({
          configName,
          configValue,
        }));
        return { resources: [{ resourceName: 'orders', configEntries }] };
      },
    } as unknown as Admin;

    await provisionTopics(admin, [spec]);

    expect(asked).toBe(3);
  });

  it('still stops at once on another error', async () => {
    const admin = {
      listTopics: async () => ['orders'],
      fetchTopicMetadata: async () => ({ topics: [] }),
      describeConfigs: async () => {
        throw Object.assign(new Error('not authorized'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
      },
    } as unknown as Admin;

    await expect(provisionTopics(admin, [spec])).rejects.toThrow('not authorized');
  });
});
