import { Inject, Injectable } from '@nestjs/common';
import type { OrderSnapshot } from '@saga/events';
import { EventRejectedError, TransientError } from '@saga/outbox';
import type { EntityManager } from 'typeorm';
import { ORDER_VIEW_OPTIONS, type OrderViewOptions } from './order-view.options.js';
import { OrderViewProjector } from './order-view.projector.js';
import { OrderViewStore } from './order-view.store.js';

/** Thrown when an order is not in the view yet. Transient: the consumer retries the event for as long as it lasts. */
export class OrderNotInViewYet extends TransientError {
  constructor(orderId: string) {
    super(`order ${orderId} is not in the order view yet`);
    this.name = 'OrderNotInViewYet';
  }
}

/**
 * How a handler reads an order: from its own service's view of the `orders` topic, never by asking the order
 * service. The snapshot and the saga event that needs it travel on different topics, so the event can arrive
 * first; then the handler waits a moment for the snapshot, and otherwise leaves the event to be retried.
 */
@Injectable()
export class OrderViews {
  constructor(
    private readonly store: OrderViewStore,
    private readonly projector: OrderViewProjector,
    @Inject(ORDER_VIEW_OPTIONS) private readonly options: OrderViewOptions,
  ) {}

  /**
   * The order's newest snapshot in the view, read in `transaction`. Waits up to `awaitOrderMs` for it.
   * @throws OrderNotInViewYet while the view may still receive it (the event is retried)
   * @throws EventRejectedError when, after that wait, the view has read all of `orders` and the order is not
   *   there: it was erased or never placed, and no retry can change that
   */
  async require(transaction: EntityManager, orderId: string): Promise<OrderSnapshot> {
    const deadline = Date.now() + this.options.awaitOrderMs;
    for (;;) {
      const snapshot = await this.store.find(transaction, orderId);
      if (snapshot) return snapshot;
      const left = deadline - Date.now();
      if (left > 0) {
        await this.projector.nextBatch(Math.min(left, 250));
        continue;
      }
      // Why wait even when the view looks caught up: the snapshot and the event that follows it leave in one
      // request, but the broker appends each partition on its own, so the event can be readable a moment before
      // the snapshot is. After the wait, a view that has read to the end of every partition holds every order
      // placed. Caught up first, then look once more: a view being rebuilt may have been empty a moment ago.
      if (!(await this.projector.isCaughtUp())) throw new OrderNotInViewYet(orderId);
      const late = await this.store.find(transaction, orderId);
      if (late) return late;
      throw new EventRejectedError(
        `order ${orderId} is not in the order view, which has read all of ${this.options.topic}: ` +
          `it was erased or never placed`,
      );
    }
  }
}
