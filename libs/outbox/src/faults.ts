/**
 * Named points where a test can make the process fail as if it had crashed. In production nothing is injected.
 * Each point sits between two steps whose order the guarantees depend on.
 */
export type FaultPoint =
  /** The relay has sent a batch to Kafka and not yet marked it published. */
  | 'relay.after-send'
  /** A consumer's transaction (inbox row, state change, outbox rows) committed; its offset is not committed yet. */
  | 'consumer.after-commit';

export interface FaultInjector {
  at(point: FaultPoint): Promise<void>;
}

export const noFaults: FaultInjector = { at: async () => undefined };

/** Thrown by test fault injectors to simulate a crash at a fault point. */
export class SimulatedCrash extends Error {
  constructor(point: FaultPoint) {
    super(`simulated crash at ${point}`);
    this.name = 'SimulatedCrash';
  }
}
