/**
 * Crashes at random while a workload runs: every few seconds one service, picked at random, is either killed on
 * the spot (SIGKILL) or restarted with a fault planted at one of the critical points (it kills itself the nth time
 * it gets there). A service that died is started again, without the fault, on the next round.
 */
import { faultPoints } from '@saga/runtime';
import { SERVICE_NAMES, ServiceExited, type SagaServices, type ServiceName } from './saga-services.js';

const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const pick = <T>(values: readonly T[]): T => values[random(0, values.length - 1)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Chaos {
  /** What happened, in order: "payment killed", "inventory died at relay.after-send", ... */
  readonly events: string[] = [];
  private readonly armed = new Map<ServiceName, string>();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly saga: SagaServices,
    private readonly pauseMs: [number, number] = [1_500, 4_000],
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the chaos; returns once every service runs again, with no fault planted. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.reviveTheDead();
    for (const name of this.armed.keys()) {
      await this.saga.stopService(name);
      await this.saga.startService(name);
    }
    this.armed.clear();
  }

  get kills(): number {
    return this.events.filter((event) => event.endsWith('killed')).length;
  }

  get faultCrashes(): number {
    return this.events.filter((event) => event.includes(' died at ')).length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      await sleep(random(...this.pauseMs));
      if (!this.running) break;
      await this.reviveTheDead();
      const name = pick(SERVICE_NAMES.filter((candidate) => !this.armed.has(candidate)));
      if (Math.random() < 0.5) {
        await this.saga.killService(name);
        this.events.push(`${name} killed`);
        await sleep(random(100, 1_500));
        await this.saga.startService(name);
      } else {
        const point = pick(faultPoints);
        const after = random(1, 5);
        this.armed.set(name, `${point} (visit ${after})`);
        await this.saga.stopService(name);
        // It may reach its fault before it is healthy: then it is dead already, and the next round revives it.
        await this.saga
          .startService(name, { FAULT_CRASH_AT: point, FAULT_CRASH_AFTER: String(after) })
          .catch((error: unknown) => {
            if (!(error instanceof ServiceExited)) throw error;
          });
      }
    }
  }

  private async reviveTheDead(): Promise<void> {
    for (const name of SERVICE_NAMES) {
      if (this.saga.isRunning(name)) continue;
      const point = this.armed.get(name);
      this.armed.delete(name);
      this.events.push(point ? `${name} died at ${point}` : `${name} found dead`);
      await this.saga.startService(name);
    }
  }
}
