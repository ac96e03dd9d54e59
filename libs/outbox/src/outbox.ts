/**
 * Transactional outbox, write side. An event is stored in the same Postgres transaction as the state change
 * that caused it, so either both happen or neither does; the relay publishes it afterwards. Without this, a crash
 * between "commit" and "send" loses the event, and a send before a failed commit announces a change that never was.
 */
import { Injectable } from '@nestjs/common';
import { topicOf, type SagaEvent } from '@saga/events';
import { traceHeaders } from '@saga/telemetry';
import type { EntityManager, QueryRunner } from 'typeorm';
import { LockNamespace, OUTBOX_CHANNEL, OUTBOX_LANES } from './locks.js';

/** One Kafka record to publish. Events become records through `Outbox.enqueue`; state records are given as is. */
export type OutboxRecord = {
  /** Unique per record. */
  readonly id: string;
  /** Without the deployment's topic prefix; the relay adds it. */
  readonly topic: string;
  readonly key: string;
  /** Shown in the `record-type` header and the outbox table. */
  readonly type: string;
  /** Serialized as JSON; null publishes a tombstone (on a compacted topic: "this key is gone"). */
  readonly payload: object | null;
  readonly headers?: Readonly<Record<string, string>>;
};

/** The headers every event carries, so tools and logs can trace it without parsing the value. */
export const eventRecord = (event: SagaEvent): OutboxRecord => ({
  id: event.id,
  topic: topicOf(event.type),
  key: event.orderId,
  type: event.type,
  payload: event,
  headers: {
    'event-id': event.id,
    'correlation-id': event.correlationId,
    ...(event.causationId ? { 'causation-id': event.causationId } : {}),
  },
});

@Injectable()
export class Outbox {
  /**
   * Adds events to the outbox inside the caller's open transaction.
   *
   * Rows get their ids from a sequence, which hands out numbers in insert order, not commit order. The relay
   * publishes in id order, so two transactions writing for the same key must not interleave: each first takes a
   * per-key advisory lock that is held until it commits. For one key, id order is then commit order.
   */
  enqueue(transaction: EntityManager, ...events: SagaEvent[]): Promise<void> {
    return this.enqueueRecords(transaction, events.map(eventRecord));
  }

  /** Like `enqueue`, for records that are not saga events (snapshots, tombstones). Same guarantees. */
  async enqueueRecords(transaction: EntityManager, records: readonly OutboxRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.openTransaction(transaction);

    // Sorted, so that two transactions locking the same keys cannot deadlock.
    const keys = [...new Set(records.map((record) => record.key))].sort();
    await transaction.query(`SELECT pg_advisory_xact_lock($1, hashtext(key)) FROM unnest($2::text[]) AS key`, [
      LockNamespace.outboxKey,
      keys,
    ]);

    // Each row keeps the trace context it was written in (the request's, or the handler's): the relay and the next
    // consumer continue that trace, however late or often the row is sent.
    const trace = traceHeaders();
    // Ids are drawn in the order of the rows below, which is the order of `records`. The NOTIFY, in the same
    // statement (one round trip), is delivered only if the transaction commits: it wakes the relay at once instead
    // of at its next poll.
    await transaction.query(
      `WITH inserted AS (
         INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, lane, created_at)
         SELECT e.event_id, e.topic, e.message_key, e.event_type, e.payload, e.headers,
                ((hashtext(e.message_key)::bigint + 2147483648) % $7)::smallint, clock_timestamp()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])
           WITH ORDINALITY AS e(event_id, topic, message_key, event_type, payload, headers, position)
         ORDER BY e.position
       )
       SELECT pg_notify($8, '')`,
      [
        records.map((record) => record.id),
        records.map((record) => record.topic),
        records.map((record) => record.key),
        records.map((record) => record.type),
        records.map((record) => (record.payload === null ? null : JSON.stringify(record.payload))),
        records.map((record) => JSON.stringify({ ...record.headers, ...trace })),
        OUTBOX_LANES,
        OUTBOX_CHANNEL,
      ],
    );
  }

  /** The transaction `transaction` belongs to; an outbox row written outside one could outlive a rolled-back change. */
  protected openTransaction(transaction: EntityManager): QueryRunner {
    if (!transaction.queryRunner?.isTransactionActive) {
      throw new Error('Outbox.enqueue needs the EntityManager of an open transaction (dataSource.transaction(...))');
    }
    return transaction.queryRunner;
  }
}
