/**
 * Transactional outbox, write side. An event is stored in the same Postgres transaction as the state change
 * that caused it, so either both happen or neither does; the relay publishes it afterwards. Without this, a crash
 * between "commit" and "send" loses the event, and a send before a failed commit announces a change that never was.
 */
import { Injectable } from '@nestjs/common';
import { topicOf, type SagaEvent } from '@saga/events';
import type { EntityManager } from 'typeorm';
import { LockNamespace, OUTBOX_CHANNEL, OUTBOX_LANES } from '../locks.js';

@Injectable()
export class Outbox {
  /**
   * Adds events to the outbox inside the caller's open transaction.
   *
   * Rows get their ids from a sequence, which hands out numbers in insert order, not commit order. The relay
   * publishes in id order, so two transactions writing for the same key must not interleave: each first takes a
   * per-key advisory lock that is held until it commits. For one key, id order is then commit order.
   */
  async enqueue(transaction: EntityManager, ...events: SagaEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!transaction.queryRunner?.isTransactionActive) {
      throw new Error('Outbox.enqueue needs the EntityManager of an open transaction (dataSource.transaction(...))');
    }

    // Sorted, so that two transactions locking the same keys cannot deadlock.
    const keys = [...new Set(events.map((event) => event.orderId))].sort();
    await transaction.query(`SELECT pg_advisory_xact_lock($1, hashtext(key)) FROM unnest($2::text[]) AS key`, [
      LockNamespace.outboxKey,
      keys,
    ]);

    // Ids are drawn in the order of the rows below, which is the order of `events`.
    await transaction.query(
      `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, lane)
       SELECT e.event_id, e.topic, e.message_key, e.event_type, e.payload,
              ((hashtext(e.message_key)::bigint + 2147483648) % $6)::smallint
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
         WITH ORDINALITY AS e(event_id, topic, message_key, event_type, payload, position)
       ORDER BY e.position`,
      [
        events.map((event) => event.id),
        events.map((event) => topicOf(event.type)),
        events.map((event) => event.orderId),
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event)),
        OUTBOX_LANES,
      ],
    );

    // Delivered only if the transaction commits; wakes the relay at once instead of at its next poll.
    await transaction.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
  }
}
