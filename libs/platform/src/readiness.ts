import { Injectable } from '@nestjs/common';

/**
 * What a service still waits for, beyond its database and Kafka, before it can do its work: a view it is loading
 * from the log, say. `GET /health/ready` answers 503 while anything holds it, naming each, so that a platform (or
 * `docker compose up --wait`) sends it no traffic yet.
 */
@Injectable()
export class Readiness {
  private readonly waitingFor = new Set<string>();

  /** Not ready until `release(reason)` is called with the same reason. */
  hold(reason: string): void {
    this.waitingFor.add(reason);
  }

  release(reason: string): void {
    this.waitingFor.delete(reason);
  }

  get heldBy(): string[] {
    return [...this.waitingFor];
  }
}
