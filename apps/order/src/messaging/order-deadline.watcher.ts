/**
 * The saga's deadline. An order still running after ORDER_DEADLINE_MS (a service down, a lost step) is cancelled
 * with TIMED_OUT, which makes every service compensate what it did. Safe with several order service instances:
 * each locks the overdue rows it takes and skips those another holds.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { describeEvent } from '@saga/events';
import { DeciderRunner } from '@saga/inbox';
import { Clock } from '@saga/platform';
import { inSpanFrom, ORDER_ID_ATTRIBUTE, SpanKind } from '@saga/telemetry';
import { DataSource } from 'typeorm';
import { ORDER_CONFIG, type OrderConfig } from '../config.js';
import { order, type CancelOrder } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';

@Injectable()
export class OrderDeadlineWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderDeadlineWatcher.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly runner: DeciderRunner,
    private readonly clock: Clock,
    @Inject(ORDER_CONFIG) private readonly config: OrderConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: Error) => this.logger.warn(`deadline sweep failed: ${error.message}`))
        .finally(() => (this.sweeping = undefined));
    }, this.config.ORDER_DEADLINE_CHECK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Cancels every overdue order, one batch per transaction. */
  async sweep(): Promise<void> {
    for (;;) {
      const cancelled = await this.dataSource.transaction(async (transaction) => {
        const now = this.clock.now();
        const ids = await this.store.lockOverdue(
          transaction,
          new Date(now.getTime() - this.config.ORDER_DEADLINE_MS),
          100,
        );
        for (const id of ids) {
          const cancel: CancelOrder = { type: 'CancelOrder', orderId: id, reason: 'TIMED_OUT' };
          // A trace of its own for each order timed out: the compensations it causes are in it.
          const attributes = { [ORDER_ID_ATTRIBUTE]: id };
          const { outputs } = await inSpanFrom(
            {},
            'order deadline passed',
            { kind: SpanKind.INTERNAL, attributes },
            () => this.runner.run(transaction, { decider: order, store: this.store }, cancel),
          );
          for (const event of outputs) this.logger.log(`${describeEvent(event)} TIMED_OUT`);
        }
        return ids.length;
      });
      if (cancelled < 100) return;
    }
  }
}
