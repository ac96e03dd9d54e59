/** Every event the payment service reacts to: each goes to its decider (domain/payment.ts). */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DeciderRunner, InboxContext, OnEvent } from '@saga/inbox';
import { payment, type PaymentInput } from '../domain/payment.js';
import { PaymentStore } from '../persistence/payment-store.js';

@Controller()
export class PaymentConsumer {
  constructor(
    private readonly runner: DeciderRunner,
    private readonly store: PaymentStore,
  ) {}

  /**
   * OrderPlaced: charge the order against the customer's credit (PaymentAuthorized or PaymentDeclined).
   * OrderCancelled: refund an authorized payment (PaymentRefunded), the compensation.
   */
  @OnEvent('OrderPlaced', 'OrderCancelled')
  async on(@Payload() event: PaymentInput, @Ctx() { transaction }: InboxContext): Promise<void> {
    await this.runner.run(transaction, { decider: payment, store: this.store }, event);
  }
}
