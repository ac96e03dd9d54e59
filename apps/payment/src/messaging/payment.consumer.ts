/** Every event the payment service reacts to, and what it does with it. */
import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { causedBy, type OrderCancelled, type OrderPlaced } from '@saga/events';
import { OrderViews } from '@saga/order-view';
import { InboxContext, OnEvent } from '@saga/inbox';
import { Clock } from '@saga/platform';
import { PAYMENT_CONFIG, type PaymentConfig } from '../config.js';
import { authorizePayment, mayCharge, refundPayment } from '../domain/payment.js';
import { PaymentStore } from '../persistence/payment-store.js';

@Controller()
export class PaymentConsumer {
  private readonly logger = new Logger(PaymentConsumer.name);

  constructor(
    private readonly store: PaymentStore,
    private readonly orders: OrderViews,
    private readonly clock: Clock,
    @Inject(PAYMENT_CONFIG) private readonly config: PaymentConfig,
  ) {}

  /**
   * Charge the order against the customer's credit: PaymentAuthorized or PaymentDeclined. Customer and total
   * come from this service's order view, the same data every service sees.
   */
  @OnEvent('OrderPlaced')
  async onOrderPlaced(@Payload() event: OrderPlaced, @Ctx() { transaction }: InboxContext): Promise<void> {
    const order = await this.orders.require(transaction, event);
    if (!mayCharge(order)) {
      this.logger.log(`order ${order.orderId} was cancelled before its payment: nothing to charge`);
      return;
    }
    const account = await this.store.lockAccount(
      transaction,
      order.customerId,
      this.config.PAYMENT_DEFAULT_CREDIT_LIMIT_CENTS,
    );
    await this.store.save(transaction, authorizePayment(account, order, causedBy(event), this.clock.now()));
  }

  /** Compensation: refund the payment of a cancelled order, if it was authorized. */
  @OnEvent('OrderCancelled')
  async onOrderCancelled(@Payload() event: OrderCancelled, @Ctx() { transaction }: InboxContext): Promise<void> {
    // OrderPlaced and OrderCancelled share a partition, so the payment (if any) was decided before this.
    const payment = await this.store.lockPayment(transaction, event.orderId);
    if (!payment) return;
    const account = await this.store.lockAccount(
      transaction,
      payment.customerId,
      this.config.PAYMENT_DEFAULT_CREDIT_LIMIT_CENTS,
    );
    const refund = refundPayment(account, payment, event, this.clock.now());
    if (refund) await this.store.save(transaction, refund);
  }
}
