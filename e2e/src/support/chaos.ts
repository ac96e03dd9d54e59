/**
 * Crashes at random while a workload runs: every few seconds one instance of a service, picked at random, is
 * either killed on the spot (SIGKILL) or restarted with a fault planted at one of the critical points (it kills
 * itself the nth time it gets there). An instance that died is started again, without the fault, on the next
 * round. With two instances per service, the other takes over the dead one's partitions and relay lanes mid-saga.
 */
import { faultPoints } from '@saga/runtime';
import { SERVICE_NAMES, ServiceExited, type SagaServices, type ServiceName } from './saga-services.js';

const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const pick = <T>(values: readonly T[]): T => values[random(0, values.length - 1)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One process: a service and which of its instances. */
type Target = { readonly name: ServiceName; readonly instance: number };

export class Chaos {
  /** What happened, in order: "payment killed", "inventory#2 died at relay.after-send", ... */
  readonly events: string[] = [];
  /** Instances restarted with a fault planted, by `label`. */
  private readonly armed = new Map<string, { target: Target; fault: string }>();
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
    for (const { target } of this.armed.values()) {
      await this.saga.stopService(target.name, target.instance);
      await this.saga.startService(target.name, {}, target.instance);
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
      const target = pick(this.targets().filter((candidate) => !this.armed.has(this.label(candidate))));
      const { name, instance } = target;
      if (Math.random() < 0.5) {
        await this.saga.killService(name, instance);
        this.events.push(`${this.label(target)} killed`);
        await sleep(random(100, 1_500));
        await this.saga.startService(name, {}, instance);
      } else {
        const point = pick(faultPoints);
        const after = random(1, 5);
        this.armed.set(this.label(target), { target, fault: `${point} (visit ${after})` });
        await this.saga.stopService(name, instance);
        // It may reach its fault before it is healthy: then it is dead already, and the next round revives it.
        await this.saga
          .startService(name, { FAULT_CRASH_AT: point, FAULT_CRASH_AFTER: String(after) }, instance)
          .catch((error: unknown) => {
            if (!(error instanceof ServiceExited)) throw error;
          });
      }
    }
  }

  private targets(): Target[] {
    return SERVICE_NAMES.flatMap((name) =>
      Array.from({ length: this.saga.instanceCount(name) }, (_, instance) => ({ name, instance })),
    );
  }

  /** "payment" with one instance per service, "payment#2" (the second) with several. */
  private label({ name, instance }: Target): string {
    return this.saga.instanceCount(name) > 1 ? `${name}#${instance + 1}` : name;
  }

  private async reviveTheDead(): Promise<void> {
    for (const target of this.targets()) {
      if (this.saga.isRunning(target.name, target.instance)) continue;
      const armed = this.armed.get(this.label(target));
      this.armed.delete(this.label(target));
      this.events.push(armed ? `${this.label(target)} died at ${armed.fault}` : `${this.label(target)} found dead`);
      await this.saga.startService(target.name, {}, target.instance);
    }
  }
}
