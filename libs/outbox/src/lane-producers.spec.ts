/**
 * A lane's producer whose connection never completes (a broker that accepts it and never answers) is given up
 * within the batch's time limit and disconnected, and the lane's next batch starts a new producer: the relay is
 * never held by one lane for ever. Kafka is replaced by stand-ins; outbox.int-spec.ts runs the real thing.
 */
import { describe, expect, it } from '@jest/globals';
import type { Admin, Producer } from 'kafkajs';
import { LaneProducers, TimeLimitExceeded } from './lane-producers.js';

/** A producer that connects (at once, after `connectsAfterMs`, or never), and sends and commits what it is given. */
function aProducer({ connects, connectsAfterMs = 0 }: { connects: boolean; connectsAfterMs?: number }) {
  const seen = { disconnected: false, committed: 0, transactions: 0 };
  const producer = {
    connect: () =>
      connects
        ? new Promise<void>((resolve) => setTimeout(resolve, connectsAfterMs))
        : new Promise<void>(() => undefined),
    disconnect: async () => {
      seen.disconnected = true;
    },
    transaction: async () => (
      (seen.transactions += 1),
      {
        sendBatch: async () => [],
        commit: async () => {
          seen.committed += 1;
        },
        abort: async () => undefined,
      }
    ),
  };
  return { producer: producer as unknown as Producer, seen };
}

describe('a lane producer', () => {
  it('that never connects is given up within the time limit, disconnected, and replaced for the next batch', async () => {
    const [silent, working] = [aProducer({ connects: false }), aProducer({ connects: true })];
    const made: string[] = [];
    const clients = {
      producer: (transactionalId: string) =>
        (made.push(transactionalId), made.length === 1 ? silent : working).producer,
      admin: () => ({ connect: async () => undefined, disconnect: async () => undefined }) as unknown as Admin,
    };
    const producers = new LaneProducers(clients, 'order', 50);
    const wave = [[{ topic: 'order-events', messages: [{ key: 'k', value: 'v' }] }]];

    await expect(producers.publish(3, wave)).rejects.toBeInstanceOf(TimeLimitExceeded);
    expect(silent.seen.disconnected).toBe(true);

    await producers.publish(3, wave);
    expect(made).toEqual(['order.outbox-lane-3', 'order.outbox-lane-3']);
    expect(working.seen.committed).toBe(1);
    await producers.closeAll();
    expect(working.seen.disconnected).toBe(true);
  });

  it('that connects after the time limit sends nothing: its stale batch never lands after the next one', async () => {
    const late = aProducer({ connects: true, connectsAfterMs: 100 });
    const clients = {
      producer: () => late.producer,
      admin: () => ({ connect: async () => undefined, disconnect: async () => undefined }) as unknown as Admin,
    };
    const producers = new LaneProducers(clients, 'order', 50);

    await expect(
      producers.publish(1, [[{ topic: 'orders', messages: [{ key: 'k', value: 'v1' }] }]]),
    ).rejects.toBeInstanceOf(TimeLimitExceeded);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the connect has completed meanwhile

    expect(late.seen).toMatchObject({ transactions: 0, committed: 0 });
  });
});
