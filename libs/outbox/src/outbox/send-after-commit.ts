/**
 * What the outbox replaces, kept here to be switched on for teaching (SAGA_OUTBOX=off): commit the state change,
 * then send its events straight to Kafka. It looks fine until the process dies between the two steps: the
 * change is committed and its events are never sent. Nothing will ever send them; the saga stops there.
 * (The crash point `relay.before-send` sits exactly in that gap.) Never use this outside a lesson.
 */
import type { Producer } from 'kafkajs';
import type { EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import type { FaultInjector } from '../faults.js';
import { toTopicMessages } from './outbox-relay.js';
import type { OutboxRecord } from './outbox.js';

export class SendAfterCommit implements EntitySubscriberInterface {
  private readonly held = new WeakMap<QueryRunner, OutboxRecord[]>();
  private connected?: Promise<void>;

  constructor(
    private readonly producer: Producer,
    private readonly faults: FaultInjector,
    private readonly topicPrefix: string,
  ) {}

  /** Keeps the records until the transaction ends: sent if it commits, dropped if it rolls back. */
  hold(transaction: QueryRunner, records: readonly OutboxRecord[]): void {
    this.held.set(transaction, [...(this.held.get(transaction) ?? []), ...records]);
  }

  async afterTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const records = this.held.get(queryRunner);
    if (!records) return;
    this.held.delete(queryRunner);
    await this.faults.at('relay.before-send');
    this.connected ??= this.producer.connect();
    await this.connected;
    await this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(records, this.topicPrefix) });
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    this.held.delete(queryRunner);
  }
}
