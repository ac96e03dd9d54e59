import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Holds the saga consumer while something it depends on is not ready, such as a local view being rebuilt from
 * the log. A closed gate stops the consumer before its next event; the event waits in Kafka, unprocessed and
 * uncommitted, until the gate opens. Open unless someone closes it.
 */
@Injectable()
export class ConsumerGate {
  private readonly logger = new Logger(ConsumerGate.name);
  private readonly closedBy = new Set<string>();

  /** Closes the gate until `open(reason)` is called with the same reason. */
  close(reason: string): void {
    if (this.closedBy.size === 0) this.logger.log(`holding saga events: ${reason}`);
    this.closedBy.add(reason);
  }

  open(reason: string): void {
    if (this.closedBy.delete(reason) && this.closedBy.size === 0) this.logger.log('processing saga events again');
  }

  get isOpen(): boolean {
    return this.closedBy.size === 0;
  }

  /** Why the gate is closed: every reason given to `close` and not yet to `open`. */
  get heldBy(): string[] {
    return [...this.closedBy];
  }

  /**
   * Resolves true once the gate is open, or false as soon as `givenUp()` holds (the consumer is stopping).
   * Calls `keepAlive` while it waits (the consumer's heartbeat, so the group does not evict it).
   */
  async passage(keepAlive: () => Promise<void>, givenUp: () => boolean, pollMs = 100): Promise<boolean> {
    while (!this.isOpen) {
      if (givenUp()) return false;
      await sleep(pollMs);
      await keepAlive().catch(() => undefined);
    }
    return true;
  }
}
