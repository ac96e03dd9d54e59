/**
 * Every event travels in the same envelope. The metadata (who, when, caused by what) lives here so that
 * business data stays small and every consumer can log, trace and deduplicate without knowing the event type.
 */
import { randomUUID } from 'node:crypto';

export type Event<Type extends string, Data> = {
  /** Unique per event; the inbox deduplicates on it. */
  readonly id: string;
  readonly type: Type;
  /** Schema version of `data`. Older versions are upcast at the consumer edge (see `parseEvent`). */
  readonly version: number;
  /** ISO-8601 instant. */
  readonly occurredAt: string;
  /** The Kafka key: every event of one order lands in one partition, so one order's events stay in order. */
  readonly orderId: string;
  /** Shared by every event of one saga run, so one order can be followed across all services' logs. */
  readonly correlationId: string;
  /** The id of the event that caused this one; null for events caused by a request. */
  readonly causationId: string | null;
  /**
   * The version of the order's snapshot (topic `orders`) this event was decided with. A service that reads the
   * order from its view of that topic waits until the view holds this version or a newer one.
   */
  readonly orderVersion: number;
  readonly data: Data;
};

export type AnyEvent = Event<string, unknown>;

/**
 * Where an event comes from: an incoming request (a new saga run) or an earlier event (the same run), and the
 * version of the order it was decided with (an event inherits its cause's, unless the order service changes it).
 */
export type Cause = {
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly orderVersion: number;
};

export const causedByRequest = (correlationId: string = randomUUID(), orderVersion = 1): Cause => ({
  correlationId,
  causationId: null,
  orderVersion,
});

export const causedBy = (event: AnyEvent): Cause => ({
  correlationId: event.correlationId,
  causationId: event.id,
  orderVersion: event.orderVersion,
});

/** Wraps data in an envelope. `now` comes from the caller's clock so tests control time. */
export function createEvent<E extends AnyEvent>(
  type: E['type'],
  orderId: string,
  data: E['data'],
  cause: Cause,
  now: Date,
  version = 1,
): E {
  return {
    id: randomUUID(),
    type,
    version,
    occurredAt: now.toISOString(),
    orderId,
    correlationId: cause.correlationId,
    causationId: cause.causationId,
    orderVersion: cause.orderVersion,
    data,
  } as E;
}

/** The fields every log line about an event carries, in one format across the services. */
export const describeEvent = (event: Pick<AnyEvent, 'id' | 'type' | 'orderId' | 'correlationId'>): string =>
  `event=${event.id} type=${event.type} order=${event.orderId} correlation=${event.correlationId}`;
