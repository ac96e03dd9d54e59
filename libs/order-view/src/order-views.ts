/**
 * How a handler reads an order: from its own service's view of the `orders` topic, never by asking the order
 * service. Every event names the version of the order it was decided from (`orderVersion`), so the handler knows
 * what "late" means without a clock:
 *
 *   - the view holds that version or a newer one: decide;
 *   - the view holds the order's tombstone: it was erased, and the event is rejected at once;
 *   - the view is behind: *not yet*. The event is retried (the partition waits), the count of such waits goes up,
 *     and the retry comes as soon as the view applies its next batch.
 *
 * A snapshot that never comes (the event is forged, or corrupt) must not hold its partition forever. The rule: the
 * outbox relay publishes an order's snapshot, and waits for the broker's acknowledgement, before it publishes an
 * event decided with it (`waves.ts` in @saga/outbox). So when a handler reads an event, its snapshot is already
 * in `orders`, below the end offsets that the topic has at that moment. The handler notes those offsets the first
 * time it finds the view behind; once the view has applied every partition up to them and still lacks the version,
 * the snapshot does not exist, and the event is dead-lettered with that reason.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { AnyEvent, OrderSnapshot } from '@saga/events';
import { EventRejectedError } from '@saga/inbox';
import { notYetWaits, TransientError } from '@saga/runtime';
import type { EntityManager } from 'typeorm';
import { ORDER_VIEW_OPTIONS, type OrderViewOptions } from './order-view.options.js';
import { OrderViewProjector } from './order-view.projector.js';
import { OrderViewStore, type ViewPosition } from './order-view.store.js';

/** The view is behind the order version an event depends on. Transient: the consumer retries the event. */
export class OrderNotInViewYet extends TransientError {
  constructor(event: OrderDependent, held: number | null, retrySooner: Promise<unknown>) {
    super(
      `order ${event.orderId} version ${event.orderVersion} is not in the order view yet ` +
        `(it holds ${held === null ? 'no version' : `version ${held}`})`,
      retrySooner,
    );
    this.name = 'OrderNotInViewYet';
  }
}

/** What an event says about the order it needs. */
export type OrderDependent = Pick<AnyEvent, 'id' | 'orderId' | 'orderVersion'>;

/** Events remembered with the end of `orders` seen when they first found the view behind; oldest forgotten first. */
const HORIZONS_KEPT = 10_000;

@Injectable()
export class OrderViews {
  private readonly horizons = new Map<string, ViewPosition>();
  private waits = 0;

  constructor(
    private readonly store: OrderViewStore,
    private readonly projector: OrderViewProjector,
    @Inject(ORDER_VIEW_OPTIONS) private readonly options: OrderViewOptions,
  ) {}

  /** How many times an event found the view behind the order version it depends on (each was retried). */
  get notYetCount(): number {
    return this.waits;
  }

  /**
   * The order as `event` needs it: at `event.orderVersion` or newer, read in `transaction`.
   * @throws OrderNotInViewYet while the view is behind and the snapshot can still come (the event is retried)
   * @throws EventRejectedError when the order was erased, or its snapshot does not exist (see the rule above)
   */
  async require(transaction: EntityManager, event: OrderDependent): Promise<OrderSnapshot> {
    const { entry, position } = await this.store.find(transaction, event.orderId);
    if (entry?.erased) throw new EventRejectedError(`order ${event.orderId} was erased`);
    if (entry && entry.snapshot.version >= event.orderVersion) {
      this.horizons.delete(event.id);
      return entry.snapshot;
    }

    // `position` is where the view was when it did not hold the version; the ends are read now, later than the
    // event, so past its snapshot. A view that was already past them cannot be waiting for it.
    const horizon = await this.horizonOf(event.id);
    if (reached(position, horizon)) {
      this.horizons.delete(event.id);
      throw new EventRejectedError(
        `order ${event.orderId} version ${event.orderVersion} is not in ${this.options.topic}, though this view ` +
          `has applied it up to where it ended after the event arrived (${describe(horizon)}): it was never published`,
      );
    }
    this.waits++;
    notYetWaits.inc();
    const held = entry ? entry.snapshot.version : null;
    throw new OrderNotInViewYet(event, held, this.projector.nextBatch());
  }

  /** The end offsets of `orders` when `eventId` first found the view behind. */
  private async horizonOf(eventId: string): Promise<ViewPosition> {
    const known = this.horizons.get(eventId);
    if (known) return known;
    const ends = await this.projector.topicEnds();
    // An empty partition (high = low) holds no snapshot: nothing to wait for there.
    const horizon = new Map([...ends].filter(([, { low, high }]) => low !== high).map(([p, { high }]) => [p, high]));
    this.horizons.set(eventId, horizon);
    if (this.horizons.size > HORIZONS_KEPT) this.horizons.delete(this.horizons.keys().next().value!);
    return horizon;
  }
}

/** True when the view has applied every partition of `horizon` up to its offset. */
const reached = (position: ViewPosition, horizon: ViewPosition): boolean =>
  [...horizon].every(([partition, end]) => (position.get(partition) ?? 0n) >= end);

const describe = (horizon: ViewPosition): string =>
  [...horizon].map(([partition, end]) => `partition ${partition} to offset ${end}`).join(', ');
