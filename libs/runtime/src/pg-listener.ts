/**
 * A Postgres LISTEN that outlives its connection. LISTEN needs a session that stays open, so it cannot borrow a
 * pooled connection: it gets one of its own, and when that one drops (a database restart, a network cut) it
 * reconnects with backoff. Notifications sent while no one listened are lost for good, so `onListening` is called
 * every time listening (re)starts: the owner must then look at the current state instead of trusting that it has
 * heard of every change. The outbox relay and the order service's live view both listen this way.
 */
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { retry } from './retry.js';

export type PgListenerOptions = {
  readonly databaseUrl: string;
  /** A plain identifier: it is written into the LISTEN statement as it is. */
  readonly channel: string;
  /** For the log lines. */
  readonly name: string;
  readonly onNotification: (payload: string | undefined) => void;
  readonly onListening: () => void;
};

/** How a lost LISTEN connection is made again: soon, and never less often than every 5 s. */
const RECONNECT = { initialMs: 250, maxMs: 5_000 };

export class PgListener {
  private readonly logger: Logger;
  private client?: pg.Client;
  private stopping = new AbortController();

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`not a channel name: "${options.channel}"`);
    this.logger = new Logger(options.name);
  }

  /** Resolves once the first attempt is over; when it failed, attempts go on in the background. */
  async start(): Promise<void> {
    this.stopping = new AbortController();
    await new Promise<void>((firstAttemptOver) => void this.keepListening(firstAttemptOver));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Listens, retrying until it does or the listener stops. */
  private async keepListening(firstAttemptOver: () => void = () => undefined): Promise<void> {
    const { channel } = this.options;
    const policy = { what: `LISTEN ${channel}`, logger: this.logger, signal: this.stopping.signal };
    await retry(RECONNECT, policy, async (attempt) => {
      try {
        await this.listen();
      } finally {
        if (attempt === 1) firstAttemptOver();
      }
    }).catch(() => undefined); // stopped
  }

  private async listen(): Promise<void> {
    const { channel, databaseUrl, onNotification, onListening } = this.options;
    const client = new pg.Client({ connectionString: databaseUrl });
    // Before LISTEN succeeds, a failure rejects the attempt below; after it, it is a drop.
    client.on('error', (error) => this.dropped(client, error.message));
    client.on('end', () => this.dropped(client, 'the connection ended'));
    client.on('notification', (message) => {
      if (message.channel === channel) onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopping.signal.aborted) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.logger.log(`listening on ${channel}`);
    onListening();
  }

  /** The connection that was listening is gone: listen again (and the owner hears `onListening` then). */
  private dropped(client: pg.Client, why: string): void {
    if (this.client !== client) return; // not listening yet, or already replaced
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.stopping.signal.aborted) return;
    this.logger.warn(`LISTEN ${this.options.channel}: connection lost (${why}); listening again`);
    void this.keepListening();
  }
}
