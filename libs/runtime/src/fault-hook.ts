/**
 * The hook the core calls at the points where the order of two steps matters: `faults.at(point)`. In production
 * nothing answers it (`noFaults`); the failure lab (@saga/lab) plants crashes and delays there. Each crash point
 * sits between two steps whose order the guarantees depend on.
 */
export const faultPoints = [
  /** A business transaction (state change and outbox rows) has committed; the relay has not sent its rows yet. */
  'relay.before-send',
  /** The relay has sent a batch to Kafka and not yet marked it published. */
  'relay.after-send',
  /** A consumer's transaction (inbox row, state change, outbox rows) committed; its offset is not committed yet. */
  'consumer.after-commit',
] as const;

export type FaultPoint = (typeof faultPoints)[number];

/** Where a test can hold the process up (FAULT_DELAY_AT) without crashing it. */
export const delayPoints = [
  /** The order view has read a batch of `orders` and not applied it yet: the view falls behind the events. */
  'order-view.before-apply',
] as const;

export type DelayPoint = (typeof delayPoints)[number];

export interface FaultInjector {
  at(point: FaultPoint | DelayPoint): Promise<void>;
}

export const noFaults: FaultInjector = { at: async () => undefined };

/** Thrown by test fault injectors to simulate a crash at a fault point. */
export class SimulatedCrash extends Error {
  constructor(point: FaultPoint) {
    super(`simulated crash at ${point}`);
    this.name = 'SimulatedCrash';
  }
}
