/**
 * Work that must happen only once a transaction has committed: counting a saga that ended, say. Counted inside the
 * transaction, a rollback (and the retry after it) would count it twice. `afterCommit` queues the work on the
 * transaction; the subscriber runs it after the commit, and drops it after a rollback.
 */
import {
  EventSubscriber,
  type EntityManager,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
} from 'typeorm';

const QUEUE = 'afterCommit';

/** Runs `work` once `transaction` commits; never if it rolls back. */
export function afterCommit(transaction: EntityManager, work: () => void): void {
  const runner = transaction.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('afterCommit needs the EntityManager of an open transaction');
  ((runner.data[QUEUE] ??= []) as (() => void)[]).push(work);
}

@EventSubscriber() // TypeORM takes a subscriber class given in the options only if it carries this
export class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    const queued = (queryRunner.data[QUEUE] ?? []) as (() => void)[];
    delete queryRunner.data[QUEUE];
    for (const work of queued) work();
  }

  afterTransactionRollback({ queryRunner }: TransactionCommitEvent): void {
    delete queryRunner.data[QUEUE];
  }
}
