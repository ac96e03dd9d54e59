/** Every event the order service reacts to, and what it does with it. */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { PaymentEvent } from '@saga/events';
import { EventRejectedError, InboxContext, OnEvent } from '@saga/outbox';
import { Clock } from '@saga/platform';
import { onPaymentOutcome } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';

@Controller()
export class OrderConsumer {
  constructor(
    private readonly store: OrderStore,
    private readonly clock: Clock,
  ) {}

  @OnEvent('PaymentAuthorized', 'PaymentDeclined')
  async onPaymentOutcome(@Payload() event: PaymentEvent, @Ctx() context: InboxContext): Promise<void> {
    const decision = await this.store.update(context.transaction, event.orderId, (order) =>
      onPaymentOutcome(order, event, this.clock.now()),
    );
    if (!decision) throw new EventRejectedError(`order ${event.orderId} does not exist`);
  }
}
