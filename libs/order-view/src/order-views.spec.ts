import { describe, expect, it } from '@jest/globals';
import type { OrderSnapshot } from '@saga/events';
import { EventRejectedError } from '@saga/outbox';
import type { EntityManager } from 'typeorm';
import type { OrderViewProjector } from './order-view.projector.js';
import type { OrderViewStore } from './order-view.store.js';
import { OrderNotInViewYet, OrderViews } from './order-views.js';

const orderId = '8d2b6c0e-8f1a-4c57-9a36-2b1f0f3e7a10';
const snapshot = { orderId, status: 'PENDING', version: 1 } as OrderSnapshot;
const transaction = {} as EntityManager;

/** A view whose store gets the order `arrivesAfterMs` from now (never, if undefined), and that reads as caught up. */
function views({ arrivesAfterMs, caughtUp }: { arrivesAfterMs?: number; caughtUp: boolean }) {
  const arrival = arrivesAfterMs === undefined ? Infinity : Date.now() + arrivesAfterMs;
  const store = { find: async () => (Date.now() >= arrival ? snapshot : undefined) };
  const projector = {
    isCaughtUp: async () => caughtUp,
    nextBatch: (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
  };
  return new OrderViews(store as unknown as OrderViewStore, projector as unknown as OrderViewProjector, {
    groupId: 'payment.order-view',
    topic: 'orders',
    awaitOrderMs: 300,
    sessionTimeoutMs: 6_000,
  });
}

describe('OrderViews.require', () => {
  it('waits for a snapshot that lands a moment after its event, even when the view already looks caught up', async () => {
    // The broker appends the event's partition and the snapshot's on their own: the event can be read first.
    await expect(views({ arrivesAfterMs: 100, caughtUp: true }).require(transaction, orderId)).resolves.toBe(snapshot);
  });

  it('rejects the event once it has waited and the view has read all of orders: erased, or never placed', async () => {
    await expect(views({ caughtUp: true }).require(transaction, orderId)).rejects.toThrow(EventRejectedError);
  });

  it('leaves the event to be retried while the view is still behind', async () => {
    await expect(views({ caughtUp: false }).require(transaction, orderId)).rejects.toThrow(OrderNotInViewYet);
  });
});
