/**
 * Listens for order changes (see order-changes.ts) on one dedicated Postgres connection per process: LISTEN needs
 * a session that stays open, so it cannot borrow from the pool. When the connection drops (a database restart, a
 * network cut), it reconnects with backoff. Notifications sent meanwhile are lost for good, so every time it
 * starts listening, subscribers are told `resync`: they must read the current state again instead of trusting
 * that they have seen every change.
 */
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { backoffDelay } from '@saga/outbox';
import pg from 'pg';
import { ORDER_CONFIG, type OrderConfig } from '../config.js';
import { ORDER_CHANGES_CHANNEL, parseOrderChange, type OrderChange } from './order-changes.js';

export type OrderChangeSignal = { kind: 'change'; change: OrderChange } | { kind: 'resync' };
export type OrderChangeSubscriber = (signal: OrderChangeSignal) => void;

@Injectable()
export class OrderChangeListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OrderChangeListener.name);
  private readonly subscribers = new Set<OrderChangeSubscriber>();
  private client?: pg.Client;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(@Inject(ORDER_CONFIG) private readonly config: Pick<OrderConfig, 'DATABASE_URL'>) {}

  /** Calls `subscriber` for every change committed from now on, and on every resync; returns the unsubscribe. */
  subscribe(subscriber: OrderChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Resolves once the first attempt to listen is over; when it failed, attempts go on in the background. */
  async onModuleInit(): Promise<void> {
    this.stopped = false;
    await this.connect(1);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async connect(attempt: number): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.DATABASE_URL });
    let listening = false;
    let dropped = false;
    const drop = (why: string) => {
      if (dropped) return;
      dropped = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      const next = listening ? 1 : attempt + 1;
      const delay = backoffDelay(next, 250, 5_000);
      this.logger.warn(`order changes: LISTEN connection lost or refused (${why}); retrying in ${delay} ms`);
      this.retryTimer = setTimeout(() => void this.connect(next), delay);
    };
    client.on('error', (error) => drop(error.message));
    client.on('end', () => drop('the connection ended'));
    client.on('notification', ({ channel, payload }) => {
      if (channel !== ORDER_CHANGES_CHANNEL) return;
      const change = parseOrderChange(payload);
      if (change) this.emit({ kind: 'change', change });
      else this.logger.warn(`order changes: ignored a notification that is not an order change: ${payload}`);
    });

    try {
      await client.connect();
      await client.query(`LISTEN ${ORDER_CHANGES_CHANNEL}`);
    } catch (error) {
      drop((error as Error).message);
      return;
    }
    if (this.stopped) {
      dropped = true;
      await client.end().catch(() => undefined);
      return;
    }
    listening = true;
    this.client = client;
    this.logger.log(`order changes: listening on ${ORDER_CHANGES_CHANNEL}`);
    // Whatever a subscriber read before this moment may have missed a change: the first time too, as a
    // subscriber may have read before anyone listened.
    this.emit({ kind: 'resync' });
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
