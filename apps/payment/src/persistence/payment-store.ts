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

  findAccount(customerId: string): Promise<CreditAccount | null> {
    return this.dataSource.getRepository(CreditAccountEntity).findOneBy({ customerId });
  }

  lockPayment(transaction: EntityManager, orderId: string): Promise<Payment | null> {
    return transaction.findOne(PaymentEntity, { where: { orderId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Sets a customer's limit; creates the account when the customer is new. */
  async setLimit(customerId: string, limitCents: number): Promise<CreditAccount> {
    await this.dataSource.query(
      `INSERT INTO credit_accounts (customer_id, limit_cents, used_cents) VALUES ($1, $2, 0)
       ON CONFLICT (customer_id) DO UPDATE SET limit_cents = EXCLUDED.limit_cents`,
      [customerId, limitCents],
    );
    return (await this.findAccount(customerId))!;
  }

  async save(transaction: EntityManager, decision: PaymentDecision): Promise<void> {
    await transaction.save(CreditAccountEntity, decision.account);
    await transaction.save(PaymentEntity, decision.payment);
    await this.outbox.enqueue(transaction, ...decision.events);
  }
}
