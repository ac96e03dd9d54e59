import { describe, expect, it } from '@jest/globals';
import type { OrderSnapshot } from '@saga/events';
import { EventRejectedError } from '@saga/inbox';
import { noFaults } from '@saga/runtime';
import type { EntityManager } from 'typeorm';
import type { OrderViewProjector } from './order-view.projector.js';
import type { OrderViewStore, ViewEntry, ViewPosition } from './order-view.store.js';
import { OrderNotInViewYet, OrderViews } from './order-views.js';

const orderId = '8d2b6c0e-8f1a-4c57-9a36-2b1f0f3e7a10';
const event = { id: 'b5a3e8f0-1c2d-4e5f-8a9b-0c1d2e3f4a5b', orderId, orderVersion: 2 };
const snapshot = (version: number) => ({ orderId, status: 'PENDING', version }) as OrderSnapshot;
const transaction = {} as EntityManager;

/**
 * A view holding `entry` for the order and applied up to `position`, over an `orders` topic whose partitions end
 * at `ends` (partition 1 is empty). Returns the views and how often the topic's ends were asked for.
 */
function views(entry: ViewEntry | null, position: ViewPosition, ends: ViewPosition) {
  const store = { find: async () => ({ entry, position }) };
  const asked = { ends: 0 };
  const projector = {
    nextBatch: () => new Promise(() => undefined),
    topicEnds: async () => {
      asked.ends++;
      return new Map([...ends, [1, 0n] as const].map(([partition, high]) => [partition, { low: 0n, high }]));
    },
  };
  const options = { groupId: 'payment.order-view', topic: 'orders', faults: noFaults, sessionTimeoutMs: 6_000 };
  const orderViews = new OrderViews(
    store as unknown as OrderViewStore,
    projector as unknown as OrderViewProjector,
    options,
  );
  return { orderViews, asked };
}

describe('OrderViews.require: the order at the version an event was decided with', () => {
  it('gives the snapshot when the view holds that version or a newer one, without asking Kafka anything', async () => {
    const { orderViews, asked } = views({ erased: false, snapshot: snapshot(3) }, new Map(), new Map());
    await expect(orderViews.require(transaction, event)).resolves.toEqual(snapshot(3));
    expect(asked.ends).toBe(0);
  });

  it('says "not yet" while the view is behind that version and has not read as far as the topic went', async () => {
    const { orderViews } = views(
      { erased: false, snapshot: snapshot(1) },
      new Map([[0, 5n]]),
      new Map([[0, 9n]]), // the snapshot of version 2 may be among offsets 5 to 8
    );
    await expect(orderViews.require(transaction, event)).rejects.toThrow(OrderNotInViewYet);
    expect(orderViews.notYetCount).toBe(1);
  });

  it('says "not yet" for an order it has never seen, however long that lasts: no clock decides', async () => {
    const { orderViews } = views(null, new Map(), new Map([[0, 3n]]));
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(orderViews.require(transaction, event)).rejects.toThrow(OrderNotInViewYet);
    }
  });

  it('rejects the event once the view has applied the topic up to where it ended when the event arrived', async () => {
    const { orderViews } = views(null, new Map([[0, 9n]]), new Map([[0, 9n]]));
    await expect(orderViews.require(transaction, event)).rejects.toThrow(
      new EventRejectedError(
        `order ${orderId} version 2 is not in orders, though this view has applied it up to where it ended after ` +
          'the event arrived (partition 0 to offset 9): it was never published',
      ),
    );
  });

  it('keeps the end it first saw for an event: records appended since do not move the goal', async () => {
    const ends = new Map([[0, 9n]]);
    const position = new Map([[0, 5n]]);
    const { orderViews } = views(null, position, ends);
    await expect(orderViews.require(transaction, event)).rejects.toThrow(OrderNotInViewYet);
    ends.set(0, 20n); // other orders' snapshots
    position.set(0, 9n);
    await expect(orderViews.require(transaction, event)).rejects.toThrow(EventRejectedError);
  });

  it('rejects an event about an erased order at once', async () => {
    const { orderViews, asked } = views({ erased: true }, new Map(), new Map([[0, 9n]]));
    await expect(orderViews.require(transaction, event)).rejects.toThrow(
      new EventRejectedError(`order ${orderId} was erased`),
    );
    expect(asked.ends).toBe(0);
  });
});
