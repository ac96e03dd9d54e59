import { Injectable } from '@nestjs/common';
import { Outbox } from '@saga/outbox';
import { DataSource, type EntityManager } from 'typeorm';
import { newAccount, type CreditAccount, type Payment, type PaymentDecision } from '../domain/payment.js';
import { CreditAccountEntity, PaymentEntity } from './payment.entities.js';

@Injectable()
export class PaymentStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  findPayment(orderId: string): Promise<Payment | null> {
    return this.dataSource.getRepository(PaymentEntity).findOneBy({ orderId });
  }

  /**
   * The customer's account, locked for the rest of `transaction` so two orders of one customer cannot spend the
   * same credit. A customer seen for the first time gets an account with the default limit.
   */
  async lockAccount(transaction: EntityManager, customerId: string, defaultLimitCents: number): Promise<CreditAccount> {
    await transaction
      .createQueryBuilder()
      .insert()
      .into(CreditAccountEntity)
      .values(newAccount(customerId, defaultLimitCents))
      .orIgnore()
      .execute();
    return transaction.findOneOrFail(CreditAccountEntity, {
      where: { customerId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async save(transaction: EntityManager, decision: PaymentDecision): Promise<void> {
    await transaction.save(CreditAccountEntity, decision.account);
    await transaction.save(PaymentEntity, decision.payment);
    await this.outbox.enqueue(transaction, ...decision.events);
  }
}
