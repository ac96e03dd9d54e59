/**
 * What the failure lab plants at the core's fault points (@saga/runtime's hook), from configuration only:
 * FAULT_CRASH_AT kills the process there, FAULT_DELAY_AT holds it up.
 */
import type { DelayPoint, FaultInjector, FaultPoint } from '@saga/runtime';

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
