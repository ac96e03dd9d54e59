/**
 * Transactional outbox, read side. The relay publishes committed outbox rows to Kafka and then marks them.
 *
 * - At least once: a row is marked only after Kafka acknowledged it (acks=all, idempotent producer), in the same
 *   transaction that holds its lane. A crash between send and mark leaves the row pending: it is sent again
 *   (consumers deduplicate through their inbox). A crash can never lose a committed row.
 * - Per-key order: rows of one key share a lane; a lane is drained by one relay at a time (an advisory lock held
 *   for the batch), in id order, one batch after the other. Several relays can run; they split the lanes.
 * - Across topics too: a batch goes out in waves (waves.ts), so a key's record on one topic is in the log before
 *   the broker is even sent the key's next record on another (an order's snapshot before its event).
 */
import { Logger } from '@nestjs/common';
import { LazyConnection, PgListener, retry, type FaultInjector } from '@saga/runtime';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { LockNamespace, OUTBOX_CHANNEL } from './locks.js';
import { inWaves } from './waves.js';

export type RelayOptions = {
  /** Rows sent to Kafka in one request per lane. */
  batchSize: number;
  /** How many lanes one relay drains at the same time. */
  concurrency: number;
  /** The relay is woken by NOTIFY on commit; this poll is the safety net if a notification is missed. */
  pollIntervalMs: number;
  /** Published rows are kept this long (for inspection), then deleted. */
  retentionMs: number;
  cleanupIntervalMs: number;
  /** Put before every topic name, so that several deployments (or test runs) can share one broker. */
  topicPrefix: string;
};

export const defaultRelayOptions: RelayOptions = {
  batchSize: 500,
  concurrency: 4,
  pollIntervalMs: 1_000,
  retentionMs: 24 * 60 * 60 * 1_000,
  cleanupIntervalMs: 60_000,
  topicPrefix: '',
};

type OutboxRow = {
  id: string;
  topic: string;
  message_key: string;
  event_type: string;
  payload: unknown;
  headers: Record<string, string>;
};

export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private nudged = false;
  private wake?: () => void;
  private readonly listener: PgListener;
  private cleanupTimer?: NodeJS.Timeout;
  private stopping = new AbortController();
  private readonly producerConnection: LazyConnection<Producer>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly options: RelayOptions,
    private readonly faults: FaultInjector,
    /** For the LISTEN connection, which must stay open outside the pool. */
    databaseUrl: string,
  ) {
    this.producerConnection = LazyConnection.of(producer);
    // A NOTIFY wakes the relay; so does (re)starting to listen, as rows may have been committed meanwhile.
    this.listener = new PgListener({
      databaseUrl,
      channel: OUTBOX_CHANNEL,
      name: OutboxRelay.name,
      onNotification: () => this.nudge(),
      onListening: () => this.nudge(),
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.producerConnection.get();
    this.running = true;
    this.stopping = new AbortController();
    await this.listener.start();
    this.loop = this.run();
    this.cleanupTimer = setInterval(() => void this.deleteExpired(), this.options.cleanupIntervalMs).unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    clearInterval(this.cleanupTimer);
    this.wake?.();
    await this.loop;
    await this.listener.stop();
    await this.producerConnection.close((producer) => producer.disconnect());
  }

  /** Publishes what is pending now, until nothing is left that this relay may take. Returns the rows published. */
  async drain(): Promise<number> {
    await this.producerConnection.get();
    let total = 0;
    for (;;) {
      this.nudged = false;
      const lanes: { lane: number }[] = await this.dataSource.query(
        `SELECT DISTINCT lane FROM outbox WHERE published_at IS NULL`,
      );
      let published = 0;
      for (let i = 0; i < lanes.length; i += this.options.concurrency) {
        // allSettled: when one lane fails, the others still finish (and release their locks) before drain returns.
        const results = await Promise.allSettled(
          lanes.slice(i, i + this.options.concurrency).map(({ lane }) => this.drainLane(lane)),
        );
        const failed = results.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
        published += results.reduce((sum, result) => sum + (result as PromiseFulfilledResult<number>).value, 0);
      }
      total += published;
      if (published === 0) return total;
    }
  }

  private async drainLane(lane: number): Promise<number> {
    return this.dataSource.transaction(async (transaction) => {
      const [{ locked }] = await transaction.query(`SELECT pg_try_advisory_xact_lock($1, $2) AS locked`, [
        LockNamespace.relayLane,
        lane,
      ]);
      if (!locked) return 0; // another relay is draining this lane

      const rows: OutboxRow[] = await transaction.query(
        `SELECT id, topic, message_key, event_type, payload, headers FROM outbox
         WHERE lane = $1 AND published_at IS NULL ORDER BY id LIMIT $2`,
        [lane, this.options.batchSize],
      );
      if (rows.length === 0) return 0;

      await this.faults.at('relay.before-send');
      const records = rows.map((row) => ({ ...row, key: row.message_key, type: row.event_type }));
      for (const wave of inWaves(records)) {
        await this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(wave, this.options.topicPrefix) });
      }
      await this.faults.at('relay.after-send');
      await transaction.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      await retry(
        { initialMs: 100, maxMs: 10_000 },
        { what: 'publishing', logger: this.logger, signal: this.stopping.signal },
        () => this.drain(),
      ).catch(() => undefined); // stopped
      await this.idle(this.options.pollIntervalMs);
    }
  }

  /** Waits for a NOTIFY, the poll interval, or stop(); returns at once if a NOTIFY came while draining. */
  private idle(ms: number): Promise<void> {
    if (this.nudged || !this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).then(() => {
      this.wake = undefined;
    });
  }

  private nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Deletes rows published longer ago than the retention. Runs every `cleanupIntervalMs` while started. */
  async deleteExpired(): Promise<void> {
    try {
      await this.dataSource.query(
        `DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1::double precision / 1000)`,
        [this.options.retentionMs],
      );
    } catch (error) {
      this.logger.warn(`cannot delete published outbox rows: ${(error as Error).message}`);
    }
  }
}

/** A record as Kafka takes it: value as JSON (null for a tombstone), the record type as a header. */
export type PublishableRecord = {
  readonly topic: string;
  readonly key: string;
  readonly type: string;
  readonly payload: unknown;
  readonly headers?: Readonly<Record<string, string>>;
};

/** Groups records by topic for one `sendBatch`, keeping their order within each topic. */
export function toTopicMessages(records: readonly PublishableRecord[], topicPrefix: string): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const topic = topicPrefix + record.topic;
    const messages = byTopic.get(topic) ?? [];
    messages.push({
      key: record.key,
      value: record.payload === null ? null : JSON.stringify(record.payload),
      headers: { ...record.headers, 'record-type': record.type },
    });
    byTopic.set(topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
