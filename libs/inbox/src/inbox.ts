/**
 * Idempotent consumer. Kafka delivers at least once, and the outbox relay may send an event twice, so a consumer
 * records each event id it applies in the same transaction as the effect. A redelivered event finds its id there
 * and has no second effect.
 */
import { Injectable } from '@nestjs/common';
import type { AnyEvent } from '@saga/events';
import type { DataSource, EntityManager } from 'typeorm';

@Injectable()
export class Inbox {
  /**
   * Records the event for this consumer inside the caller's open transaction. Returns false when it was already
   * recorded, i.e. the event was applied before. If another transaction is recording the same event right now,
   * this waits for it: after its commit this returns false, after its rollback true.
   */
  async accept(transaction: EntityManager, consumer: string, event: AnyEvent): Promise<boolean> {
    const inserted: unknown[] = await transaction.query(
      `INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, event.id, event.type],
    );
    return inserted.length === 1;
  }

  /**
   * Forgets the events applied longer ago than `retentionMs`. Safe as long as no copy of such an event can still
   * arrive: a redelivery comes within seconds, the relay's resend of a row it could not mark within minutes; a
   * redrive of a dead letter is the one that can come later, so keep dead letters for less long than this, or
   * redrive them within it. Returns how many were forgotten.
   */
  async forgetOlderThan(dataSource: DataSource, retentionMs: number): Promise<number> {
    const [, deleted]: [unknown, number] = await dataSource.query(
      `DELETE FROM inbox WHERE processed_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [retentionMs],
    );
    return deleted;
  }
}
