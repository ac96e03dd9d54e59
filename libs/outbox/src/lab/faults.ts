/**
 * Named points where a test can make the process fail as if it had crashed, or make it slow. In production nothing
 * is injected. Each crash point sits between two steps whose order the guarantees depend on.
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

/** Every injector of `injectors`, in turn, at every point. */
export const allFaults = (...injectors: FaultInjector[]): FaultInjector => ({
  at: async (point) => {
    for (const injector of injectors) await injector.at(point);
  },
});

/** Waits `ms` every time the process reaches `point` (FAULT_DELAY_AT, FAULT_DELAY_MS). */
export class DelayingFaults implements FaultInjector {
  constructor(
    private readonly point: DelayPoint,
    private readonly ms: number,
  ) {}

  async at(point: FaultPoint | DelayPoint): Promise<void> {
    if (point === this.point) await new Promise((resolve) => setTimeout(resolve, this.ms));
  }
}

/** Thrown by test fault injectors to simulate a crash at a fault point. */
export class SimulatedCrash extends Error {
  constructor(point: FaultPoint) {
    super(`simulated crash at ${point}`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * Kills the process the `nth` time it reaches `point`: SIGKILL, so no shutdown hook, no flush, no goodbye to
 * Kafka or Postgres, as when a machine dies. Turned on only by configuration (FAULT_CRASH_AT), for tests and
 * demonstrations of what the outbox and the inbox survive.
 */
export class CrashingFaults implements FaultInjector {
  private reached = 0;

  constructor(
    private readonly point: FaultPoint,
    private readonly nth = 1,
    private readonly kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
  ) {}

  async at(point: FaultPoint | DelayPoint): Promise<void> {
    if (point !== this.point || ++this.reached !== this.nth) return;
    console.error(`FAULT_CRASH_AT=${point}: killing the process (occurrence ${this.nth})`);
    this.kill();
    await new Promise(() => undefined); // never resumes, should the signal take a moment
  }
}
