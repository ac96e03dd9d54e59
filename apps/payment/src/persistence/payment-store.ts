import { Inject, Injectable } from '@nestjs/common';
import type { DeciderStore } from '@saga/inbox';
import { OrderViews } from '@saga/order-view';
import { Clock } from '@saga/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { PAYMENT_CONFIG, type PaymentConfig } from '../config.js';
import {
  availableCredit,
  creditMove,
  newAccount,
  type CreditAccount,
  type Payment,
  type PaymentContext,
  type PaymentInput,
} from '../domain/payment.js';
import { CreditAccountEntity, PaymentEntity } from './payment.entities.js';

/** Where payment keeps its payments and the customers' credit, and what its decisions need from outside them. */
@Injectable()
export class PaymentStore implements DeciderStore<Payment, PaymentInput, PaymentContext> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderViews,
    private readonly clock: Clock,
    @Inject(PAYMENT_CONFIG) private readonly config: PaymentConfig,
  ) {}

  findPayment(orderId: string): Promise<Payment | null> {
    return this.dataSource.getRepository(PaymentEntity).findOneBy({ orderId });
  }

  findAccount(customerId: string): Promise<CreditAccount | null> {
    return this.dataSource.getRepository(CreditAccountEntity).findOneBy({ customerId });
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

  /**
   * The order's payment, locked for the rest of `transaction` (`initial` when there is none). On OrderPlaced, the
   * order from the view and the customer's account, locked too, so two orders of one customer cannot spend the
   * same credit (a customer seen for the first time gets an account with the default limit).
   */
  async load(transaction: EntityManager, input: PaymentInput, initial: Payment) {
    const found = await transaction.findOne(PaymentEntity, {
      where: { orderId: initial.orderId },
      lock: { mode: 'pessimistic_write' },
    });
    const state = found ?? initial;
    const charges = input.type === 'OrderPlaced' && state.status === 'NONE' && !state.cancelled;
    const order = charges ? await this.orders.require(transaction, input) : null;
    const account = order ? await this.lockAccount(transaction, order.customerId) : null;
    const context: PaymentContext = {
      now: this.clock.now(),
      order,
      availableCents: account ? availableCredit(account) : 0,
    };
    return { state, context };
  }

  /** Saves the payment, and takes or gives back the credit its change moves. */
  async save(transaction: EntityManager, payment: Payment, before: Payment): Promise<void> {
    await transaction.save(PaymentEntity, payment);
    const move = creditMove(before, payment);
    if (move === 0) return;
    await transaction.query(`UPDATE credit_accounts SET used_cents = used_cents + $2 WHERE customer_id = $1`, [
      payment.customerId,
      move,
    ]);
  }

  private async lockAccount(transaction: EntityManager, customerId: string): Promise<CreditAccount> {
    const fresh = newAccount(customerId, this.config.PAYMENT_DEFAULT_CREDIT_LIMIT_CENTS);
    await transaction.createQueryBuilder().insert().into(CreditAccountEntity).values(fresh).orIgnore().execute();
    return transaction.findOneOrFail(CreditAccountEntity, {
      where: { customerId },
      lock: { mode: 'pessimistic_write' },
    });
  }
}
