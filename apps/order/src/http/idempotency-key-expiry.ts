/** Keeps the idempotency keys of POST /orders for a bounded time, so the table holds a window, not all history. */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ORDER_CONFIG, type OrderConfig } from '../config.js';
import { OrderStore } from '../persistence/order-store.js';

const INTERVAL_MS = 60_000;

@Injectable()
export class IdempotencyKeyExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeyExpiry.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: OrderStore,
    @Inject(ORDER_CONFIG) private readonly config: OrderConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.forgetExpired(), INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async forgetExpired(): Promise<void> {
    try {
      const forgotten = await this.store.forgetIdempotencyKeysOlderThan(this.config.ORDER_IDEMPOTENCY_KEY_RETENTION_MS);
      if (forgotten > 0) this.logger.log(`forgot ${forgotten} idempotency keys past their retention`);
    } catch (error) {
      this.logger.warn(`cannot forget expired idempotency keys: ${(error as Error).message}`);
    }
  }
}
