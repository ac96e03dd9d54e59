/**
 * What the outbox replaces, kept for teaching (SAGA_OUTBOX=off): commit the state change, then send its records
 * straight to Kafka. It looks fine until the process dies between the two steps: the change is committed and its
 * events are never sent. Nothing will ever send them; the saga stops there. (The crash point `relay.before-send`
 * sits exactly in that gap.) Never use this outside a lesson.
 */
import { Outbox, toTopicMessages, type OutboxRecord } from '@saga/outbox';
import { LazyConnection, type FaultInjector } from '@saga/runtime';
import type { Producer } from 'kafkajs';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

export class SendAfterCommit extends Outbox implements EntitySubscriberInterface {
  private readonly held = new WeakMap<QueryRunner, OutboxRecord[]>();
  private readonly connection: LazyConnection<Producer>;

  constructor(
    dataSource: DataSource,
    producer: Producer,
    private readonly faults: FaultInjector,
    private readonly topicPrefix: string,
  ) {
    super();
    this.connection = LazyConnection.of(producer);
    dataSource.subscribers.push(this); // to hear of every commit and rollback
  }

  /** Keeps the records until the transaction ends: sent if it commits, dropped if it rolls back. */
  override async enqueueRecords(transaction: EntityManager, records: readonly OutboxRecord[]): Promise<void> {
    const runner = this.openTransaction(transaction);
    this.held.set(runner, [...(this.held.get(runner) ?? []), ...records]);
  }

  async afterTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const records = this.held.get(queryRunner);
    if (!records) return;
    this.held.delete(queryRunner);
    await this.faults.at('relay.before-send');
    const producer = await this.connection.get();
    await producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(records, this.topicPrefix) });
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    this.held.delete(queryRunner);
  }
}
