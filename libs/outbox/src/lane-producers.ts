/**
 * One transactional Kafka producer per outbox lane, so that what the relay publishes for a lane can neither be lost
 * nor land out of order, whatever the network and the broker do:
 *
 * - One send in flight per producer. An idempotent producer numbers its records per partition; when a request
 *   fails after the broker appended part of it, kafkajs winds those numbers back, and a second request sent
 *   meanwhile through the same producer could reuse them: the broker would take it for a duplicate, acknowledge
 *   it, and drop it. A lane has one batch at a time, so a producer per lane never has two.
 * - Every wave is a Kafka transaction under a transactional id that names the lane (the same in every instance of
 *   the service). Whoever starts a producer for a lane fences every older producer of that lane: the broker aborts
 *   its open transaction and refuses its late records. A relay that lost its lane while a send was still in
 *   flight (its database session died, say) cannot publish after the new owner; its records stay in an aborted
 *   transaction, which consumers never see (they read committed records only, kafkajs's default).
 * - A producer that failed is thrown away, never reused: its sequence numbers or its epoch may be stale. The next
 *   batch of the lane starts a new one, which first aborts whatever the old one left open.
 * - Everything a batch waits for is within its time limit, the new producer's connection included: a broker that
 *   accepts the connection and never answers (one still restarting, say) must not hold the lane, and with it the
 *   relay, for ever. A producer given up on is disconnected at once, connected or still connecting.
 * - A committed transaction is not yet a visible one: the broker answers the commit, then writes its markers to
 *   the partitions. So before the next wave goes out, the relay waits until the wave's records are below the
 *   partitions' last stable offset, where a reader of committed records sees them (waves.ts says why it must).
 */
import { Logger } from '@nestjs/common';
import { LazyConnection } from '@saga/runtime';
import {
  Partitioners,
  type Admin,
  type Producer,
  type ProducerConfig,
  type RecordMetadata,
  type TopicMessages,
} from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The relay's Kafka: a producer per lane, given its transactional id, and an admin client. */
export type LaneClients = {
  producer(transactionalId: string): Producer;
  admin(): Admin;
};

/** How a lane's producer is configured: give it to `kafka.producer(...)` in `LaneClients.producer`. */
export function laneProducerConfig(transactionalId: string, sendTimeLimitMs: number): ProducerConfig {
  return {
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    // An open transaction holds back every reader of its partitions; one the relay left behind (a crash mid-send)
    // is aborted by the lane's next producer, or by the broker after this long.
    transactionTimeout: 2 * sendTimeLimitMs,
    // A transaction begun right after the last one committed is refused (CONCURRENT_TRANSACTIONS) until the broker
    // has written the last one's markers, a few milliseconds. kafkajs retries that like any error, first after
    // `initialRetryTime`: with the client's 200 ms every batch of a busy lane waited that long.
    retry: { initialRetryTime: 5, maxRetryTime: 2_000, retries: 12 },
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  };
}

export class LaneProducers {
  private readonly logger = new Logger(LaneProducers.name);
  private readonly producers = new Map<number, { client: Producer; connection: LazyConnection<Producer> }>();
  private readonly admin: LazyConnection<Admin>;
  /** Producers given up on, still disconnecting. */
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly clients: LaneClients,
    /** Names the lanes' transactional ids: the same in every instance of one service, distinct between services. */
    private readonly transactionalIdPrefix: string,
    /** A send that takes longer is given up (its transaction aborted), so that a lane is never held indefinitely. */
    private readonly timeLimitMs: number,
  ) {
    this.admin = LazyConnection.of(clients.admin());
  }

  /** Publishes `waves` in order, each in a transaction of its own, committed before the next is sent. */
  async publish(lane: number, waves: readonly TopicMessages[][]): Promise<void> {
    const { connection } = this.producerOf(lane);
    const givenUp = new AbortController();
    const sending = (async () => {
      // Given up on, this batch must write nothing more: a connect that completes late would get the lane's
      // newest epoch, unfenced, and a stale batch sent then would land after the next producer's newer records.
      const producer = await connection.get();
      for (const [index, topicMessages] of waves.entries()) {
        givenUp.signal.throwIfAborted();
        const transaction = await producer.transaction();
        let sent: RecordMetadata[];
        try {
          sent = await transaction.sendBatch({ acks: -1, topicMessages });
          givenUp.signal.throwIfAborted(); // abort, never commit, what was sent after the time limit
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          throw error;
        }
        if (index < waves.length - 1) await this.untilVisible(sent, givenUp.signal);
      }
    })();
    try {
      await withinTimeLimit(sending, this.timeLimitMs, `publishing lane ${lane}`);
    } catch (error) {
      givenUp.abort();
      sending.catch(() => undefined); // it goes on in the background until the producer is disconnected
      this.logger.warn(`lane ${lane}: a new producer for the next batch (${(error as Error).message})`);
      this.discard(lane);
      throw error;
    }
  }

  /**
   * Starts the lane's next batch with a new producer, which fences every other (another relay's, that held the
   * lane since this one last did). Cheaper than finding out by a refused send.
   */
  renew(lane: number): void {
    this.discard(lane);
  }

  async closeAll(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await this.admin.close((admin) => admin.disconnect());
    await Promise.all([...producers.map(({ client }) => client.disconnect().catch(() => undefined)), ...this.closing]);
  }

  private producerOf(lane: number): { client: Producer; connection: LazyConnection<Producer> } {
    let producer = this.producers.get(lane);
    if (!producer) {
      const client = this.clients.producer(`${this.transactionalIdPrefix}.outbox-lane-${lane}`);
      producer = { client, connection: LazyConnection.of(client) };
      this.producers.set(lane, producer);
    }
    return producer;
  }

  /** Waits until every partition written has its last stable offset past the records `sent` there. */
  private async untilVisible(sent: RecordMetadata[], givenUp: AbortSignal): Promise<void> {
    const admin = await this.admin.get();
    const waiting = new Map(sent.map((record) => [`${record.topicName}/${record.partition}`, record]));
    for (let pause = 1; waiting.size > 0; pause = Math.min(2 * pause, 100)) {
      givenUp.throwIfAborted();
      for (const topic of new Set([...waiting.values()].map((record) => record.topicName))) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
          const record = waiting.get(`${topic}/${partition}`);
          if (record && BigInt(high) > BigInt(record.baseOffset!)) waiting.delete(`${topic}/${partition}`);
        }
      }
      if (waiting.size > 0) await sleep(pause);
    }
  }

  /**
   * Forgets the lane's producer and disconnects it in the background, connected or still connecting: what it has
   * in flight fails, and an open transaction of it is aborted by the lane's next producer, or by the broker.
   */
  private discard(lane: number): void {
    const producer = this.producers.get(lane);
    if (!producer) return;
    this.producers.delete(lane);
    const closed = producer.client.disconnect().catch(() => undefined);
    this.closing.add(closed);
    void closed.finally(() => this.closing.delete(closed));
  }
}

export class TimeLimitExceeded extends Error {}

function withinTimeLimit<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeLimitExceeded(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
