/** Every event the payment service reacts to, and what it does with it. */
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { OrderPlaced } from '@saga/events';
import { InboxContext, OnEvent } from '@saga/outbox';
import { Clock } from '@saga/platform';
import { PAYMENT_CONFIG, type PaymentConfig } from '../config.js';
import { authorizePayment } from '../domain/payment.js';
import { PaymentStore } from '../persistence/payment-store.js';

@Controller()
export class PaymentConsumer {
  constructor(
    private readonly store: PaymentStore,
    private readonly clock: Clock,
    @Inject(PAYMENT_CONFIG) private readonly config: PaymentConfig,
  ) {}

  /** Charge the order against the customer's credit: PaymentAuthorized or PaymentDeclined. */
  @OnEvent('OrderPlaced')
  async onOrderPlaced(@Payload() event: OrderPlaced, @Ctx() { transaction }: InboxContext): Promise<void> {
    const account = await this.store.lockAccount(
      transaction,
      event.data.customerId,
      this.config.PAYMENT_DEFAULT_CREDIT_LIMIT_CENTS,
    );
    await this.store.save(transaction, authorizePayment(account, event, this.clock.now()));
  }
}
