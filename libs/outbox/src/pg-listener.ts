/**
 * A Postgres LISTEN that outlives its connection. LISTEN needs a session that stays open, so it cannot borrow a
 * pooled connection: it gets one of its own, and when that one drops (a database restart, a network cut) it
 * reconnects with backoff. Notifications sent while no one listened are lost for good, so `onListening` is called
 * every time listening (re)starts: the owner must then look at the current state instead of trusting that it has
 * heard of every change. The outbox relay and the order service's live view both listen this way.
 */
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { backoffDelay } from './backoff.js';

export type PgListenerOptions = {
  readonly databaseUrl: string;
  /** A plain identifier: it is written into the LISTEN statement as it is. */
  readonly channel: string;
  /** For the log lines. */
  readonly name: string;
  readonly onNotification: (payload: string | undefined) => void;
  readonly onListening: () => void;
};

export class PgListener {
  private readonly logger: Logger;
  private client?: pg.Client;
  private retryTimer?: NodeJS.Timeout;
  private stopped = true;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`not a channel name: "${options.channel}"`);
    this.logger = new Logger(options.name);
  }

  /** Resolves once the first attempt is over; when it failed, attempts go on in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect(1);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async connect(attempt: number): Promise<void> {
    const { channel, databaseUrl, onNotification, onListening } = this.options;
    const client = new pg.Client({ connectionString: databaseUrl });
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
      this.logger.warn(`LISTEN ${channel}: connection lost or refused (${why}); retrying in ${delay} ms`);
      this.retryTimer = setTimeout(() => void this.connect(next), delay);
    };
    client.on('error', (error) => drop(error.message));
    client.on('end', () => drop('the connection ended'));
    client.on('notification', (message) => {
      if (message.channel === channel) onNotification(message.payload);
    });

    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
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
    this.logger.log(`listening on ${channel}`);
    onListening();
  }
}
