/**
 * Transactional outbox, read side. The relay publishes committed outbox rows to Kafka and then marks them.
 *
 * - At least once: a row is marked only after Kafka committed it (acks=all, in a Kafka transaction), in the same
 *   database transaction that holds its lane. A crash between send and mark leaves the row pending: it is sent
 *   again (consumers deduplicate through their inbox). A crash can never lose a committed row.
 * - Per-key order: rows of one key share a lane; a lane is drained by one relay at a time (an advisory lock held
 *   for the batch), in id order, one batch after the other. Several relays can run; they split the lanes. A relay
 *   that lost its lane mid-send is fenced by the next owner (lane-producers.ts), so it cannot publish after it.
 * - Across topics too: a batch goes out in waves (waves.ts), so a key's record on one topic is in the log before
 *   the broker is even sent the key's next record on another (an order's snapshot before its event).
 * - Bounded: a batch is bounded in rows and in bytes, a send in time. A row larger than the broker takes is set
 *   aside with the reason (set_aside_at, set_aside_reason), logged as an error, never retried forever.
 */
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  outboxMetrics,
  PgListener,
  recordHop,
  relayPublished,
  retry,
  timeHop,
  type FaultInjector,
} from '@saga/runtime';
import { failed, SpanKind, startSpanFrom } from '@saga/telemetry';
import type { Message, TopicMessages } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { LaneProducers, type LaneClients } from './lane-producers.js';
import { LockNamespace, OUTBOX_CHANNEL } from './locks.js';
import { inWaves } from './waves.js';

export type RelayOptions = {
  /** Rows sent to Kafka in one batch per lane, at most... */
  batchSize: number;
  /** ...and bytes (keys, values and headers). A batch always takes its first row. */
  maxBatchBytes: number;
  /** A row larger than this is set aside, never sent: keep it below the broker's `message.max.bytes`. */
  maxRecordBytes: number;
  /** A lane's send that takes longer is given up and tried again with a new producer. */
  sendTimeLimitMs: number;
  /** Names the lanes' Kafka transactional ids: the same in every instance of a service, distinct between services. */
  transactionalIdPrefix: string;
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
  maxBatchBytes: 512 * 1024,
  maxRecordBytes: 1_000_000, // the broker's default message.max.bytes is 1 MiB, batch overhead included
  sendTimeLimitMs: 15_000,
  transactionalIdPrefix: 'saga',
  concurrency: 8,
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
  created_at: Date;
};

/** A row as it goes out, with its size on the wire (near enough: Kafka's own framing adds a few bytes). */
type Outgoing = PublishableRecord & { readonly id: string; readonly bytes: number };

export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  /** Names this relay in `outbox_lane_owner`. */
  private readonly id = randomUUID();
  private running = false;
  private loop?: Promise<void>;
  private nudged = false;
  private wake?: () => void;
  private readonly listener: PgListener;
  private cleanupTimer?: NodeJS.Timeout;
  /** Removes this relay's readings from /metrics. */
  private unregisterMetrics: (() => void)[] = [];
  private stopping = new AbortController();
  private readonly producers: LaneProducers;
  /** Lanes whose last batch the broker refused as too large: their next batch is one row. */
  private readonly oneRowAtATime = new Set<number>();

  constructor(
    private readonly dataSource: DataSource,
    /** The Kafka producer of each lane, given its transactional id, and an admin client (see lane-producers.ts). */
    clients: LaneClients,
    private readonly options: RelayOptions,
    private readonly faults: FaultInjector,
    /** For the LISTEN connection, which must stay open outside the pool. */
    databaseUrl: string,
  ) {
    this.producers = new LaneProducers(clients, options.transactionalIdPrefix, options.sendTimeLimitMs);
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
    this.running = true;
    this.stopping = new AbortController();
    await this.listener.start();
    this.loop = this.run();
    this.cleanupTimer = setInterval(() => void this.deleteExpired(), this.options.cleanupIntervalMs).unref();
    const backlog = () => this.backlog();
    this.unregisterMetrics = [
      outboxMetrics.pending(async () => [{ value: (await backlog()).pending }]),
      outboxMetrics.oldestPendingSeconds(async () => [{ value: (await backlog()).oldestSeconds }]),
      outboxMetrics.setAside(async () => [{ value: await this.setAsideCount() }]),
    ];
  }

  async stop(): Promise<void> {
    for (const unregister of this.unregisterMetrics) unregister();
    this.running = false;
    this.stopping.abort();
    clearInterval(this.cleanupTimer);
    this.wake?.();
    await this.loop;
    await this.listener.stop();
    await this.producers.closeAll();
  }

  /**
   * Publishes what is pending now, until nothing is left that this relay may take. Returns the rows published.
   * `concurrency` lanes are drained at a time, each batch after batch on its own: a slow lane holds up no other.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      this.nudged = false;
      const lanes: { lane: number }[] = await this.dataSource.query(
        `SELECT DISTINCT lane FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL`,
      );
      const queue = lanes.map(({ lane }) => lane);
      let published = 0;
      let failure: { error: unknown } | undefined;
      const worker = async () => {
        for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) {
          try {
            const { published: sent, more } = await this.drainLane(lane);
            published += sent;
            if (more) queue.push(lane); // its next batch
          } catch (error) {
            // The other lanes still finish (and release their locks) before drain fails.
            failure ??= { error };
          }
        }
      };
      await Promise.all(Array.from({ length: this.options.concurrency }, worker));
      if (failure) throw failure.error;
      total += published;
      if (published === 0) return total;
    }
  }

  /**
   * Publishes the lane's next batch, unless another relay holds the lane. Returns the rows it took care of, and
   * whether the lane may hold more (the batch was cut short by its bounds).
   */
  private async drainLane(lane: number): Promise<{ published: number; more: boolean }> {
    return this.dataSource.transaction(async (transaction) => {
      const [{ locked }] = await transaction.query(`SELECT pg_try_advisory_xact_lock($1, $2) AS locked`, [
        LockNamespace.relayLane,
        lane,
      ]);
      if (!locked) return { published: 0, more: false }; // another relay is draining this lane
      const changedHands: unknown[] = await transaction.query(
        `INSERT INTO outbox_lane_owner (lane, relay) VALUES ($1, $2)
         ON CONFLICT (lane) DO UPDATE SET relay = EXCLUDED.relay WHERE outbox_lane_owner.relay <> EXCLUDED.relay
         RETURNING lane`,
        [lane, this.id],
      );
      if (changedHands.length > 0) this.producers.renew(lane);

      const limit = this.oneRowAtATime.has(lane) ? 1 : this.options.batchSize;
      const rows: OutboxRow[] = await transaction.query(
        `SELECT id, topic, message_key, event_type, payload, headers, created_at FROM outbox
         WHERE lane = $1 AND published_at IS NULL AND set_aside_at IS NULL ORDER BY id LIMIT $2`,
        [lane, limit],
      );
      if (rows.length === 0) return { published: 0, more: false };
      const outgoing = rows.map(toOutgoing);
      const first = outgoing[0]!;
      if (first.bytes > this.options.maxRecordBytes) {
        await this.setAside(transaction, first, `${first.bytes} bytes, more than ${this.options.maxRecordBytes}`);
        return { published: 1, more: true };
      }
      const batch = upToBytes(outgoing, this.options.maxBatchBytes);
      const now = Date.now();
      for (const row of rows.slice(0, batch.length)) recordHop('relay_wait', now - row.created_at.getTime());

      await this.faults.at('relay.before-send');
      // A span per record, in the trace its row was written in; the record carries it on to its consumers.
      const sends = batch.map((row) => {
        const { span, headers } = startSpanFrom(row.headers ?? {}, `publish ${row.topic}`, {
          kind: SpanKind.PRODUCER,
          attributes: publishAttributes(row, this.options.topicPrefix),
        });
        return { span, row: { ...row, headers: { ...row.headers, ...headers } } };
      });
      try {
        const waves = inWaves(sends.map(({ row }) => row)).map((wave) =>
          toTopicMessages(wave, this.options.topicPrefix),
        );
        await timeHop('publish', () => this.producers.publish(lane, waves));
        for (const { span, row } of sends) {
          span.end();
          relayPublished.inc({ topic: this.options.topicPrefix + row.topic });
        }
      } catch (error) {
        for (const { span } of sends) {
          failed(span, error);
          span.end();
        }
        if (!refusedAsTooLarge(error)) throw error;
        if (batch.length > 1) {
          this.oneRowAtATime.add(lane);
          throw error;
        }
        await this.setAside(transaction, first, `the broker refused it: ${(error as Error).message}`);
        return { published: 1, more: true };
      }
      this.oneRowAtATime.delete(lane);
      await this.faults.at('relay.after-send');
      await transaction.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        batch.map((row) => row.id),
      ]);
      return { published: batch.length, more: batch.length < rows.length || rows.length === limit };
    });
  }

  /** Takes a row out of the pending ones for good, with the reason; a human decides what becomes of it. */
  private async setAside(transaction: EntityManager, row: Outgoing, reason: string): Promise<void> {
    await transaction.query(`UPDATE outbox SET set_aside_at = now(), set_aside_reason = $2 WHERE id = $1`, [
      row.id,
      reason,
    ]);
    this.logger.error(
      `set aside outbox row ${row.id} (${row.type} for ${row.key} to ${row.topic}), it can never be sent: ${reason}`,
    );
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

  /** Rows waiting to be sent, and how long the oldest of them has waited. */
  async backlog(): Promise<{ pending: number; oldestSeconds: number }> {
    const [{ pending, oldest }] = await this.dataSource.query(
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)::float AS oldest
       FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL`,
    );
    return { pending, oldestSeconds: oldest };
  }

  /** Rows set aside because they can never be sent; each needs a human. */
  async setAsideCount(): Promise<number> {
    const [{ count }] = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM outbox WHERE set_aside_at IS NOT NULL`,
    );
    return count;
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

const toOutgoing = (row: OutboxRow): Outgoing => {
  const value = row.payload === null ? '' : JSON.stringify(row.payload);
  const headers = Object.entries(row.headers).reduce((sum, [name, header]) => sum + name.length + header.length, 0);
  return {
    id: row.id,
    topic: row.topic,
    key: row.message_key,
    type: row.event_type,
    payload: row.payload,
    headers: row.headers,
    bytes: Buffer.byteLength(row.message_key) + Buffer.byteLength(value) + headers + row.event_type.length + 64,
  };
};

/** What a publish span says of its record (OpenTelemetry's messaging conventions). */
const publishAttributes = (row: Outgoing, topicPrefix: string) => ({
  'messaging.system': 'kafka',
  'messaging.operation.type': 'send',
  'messaging.destination.name': topicPrefix + row.topic,
  'messaging.kafka.message.key': row.key,
  'saga.record_type': row.type,
  'saga.outbox_row': row.id,
});

/** The first rows of `rows` that fit in `maxBytes`; at least the first. */
function upToBytes(rows: readonly Outgoing[], maxBytes: number): Outgoing[] {
  let bytes = 0;
  const batch: Outgoing[] = [];
  for (const row of rows) {
    bytes += row.bytes;
    if (batch.length > 0 && bytes > maxBytes) break;
    batch.push(row);
  }
  return batch;
}

/** The broker's answer to a record or a request larger than it takes, wherever kafkajs wrapped it. */
function refusedAsTooLarge(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { type, errors, originalError, cause } = error as {
    type?: string;
    errors?: unknown[];
    originalError?: unknown;
    cause?: unknown;
  };
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') return true;
  return [...(errors ?? []), originalError, cause].some((inner) => refusedAsTooLarge(inner, depth + 1));
}
