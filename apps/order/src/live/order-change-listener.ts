/**
 * Listens for order changes (see order-changes.ts), on one dedicated connection per process that reconnects by
 * itself (PgListener). Notifications sent while it was away are lost for good, so every time it starts listening,
 * subscribers are told `resync`: they must read the current state again instead of trusting that they have seen
 * every change.
 */
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PgListener } from '@saga/runtime';
import { ORDER_CONFIG, type OrderConfig } from '../config.js';
import { ORDER_CHANGES_CHANNEL, parseOrderChange, type OrderChange } from './order-changes.js';

export type OrderChangeSignal = { kind: 'change'; change: OrderChange } | { kind: 'resync' };
export type OrderChangeSubscriber = (signal: OrderChangeSignal) => void;

@Injectable()
export class OrderChangeListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OrderChangeListener.name);
  private readonly subscribers = new Set<OrderChangeSubscriber>();
  private readonly listener: PgListener;

  constructor(@Inject(ORDER_CONFIG) config: Pick<OrderConfig, 'DATABASE_URL'>) {
    this.listener = new PgListener({
      databaseUrl: config.DATABASE_URL,
      channel: ORDER_CHANGES_CHANNEL,
      name: OrderChangeListener.name,
      onNotification: (payload) => {
        const change = parseOrderChange(payload);
        if (change) this.emit({ kind: 'change', change });
        else this.logger.warn(`order changes: ignored a notification that is not an order change: ${payload}`);
      },
      // Whatever a subscriber read before this moment may have missed a change: the first time too, as a
      // subscriber may have read before anyone listened.
      onListening: () => this.emit({ kind: 'resync' }),
    });
  }

  /** Calls `subscriber` for every change committed from now on, and on every resync; returns the unsubscribe. */
  subscribe(subscriber: OrderChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Resolves once the first attempt to listen is over; when it failed, attempts go on in the background. */
  onModuleInit(): Promise<void> {
    return this.listener.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.listener.stop();
  }

  private emit(signal: OrderChangeSignal): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(signal);
      } catch (error) {
        this.logger.error(`order changes: a subscriber failed: ${(error as Error).message}`);
      }
    }
  }
}
