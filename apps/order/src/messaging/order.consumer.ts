/** Every event the order service reacts to: each goes to its decider (domain/order.ts). */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DeciderRunner, EventRejectedError, InboxContext, OnEvent } from '@saga/inbox';
import { order, type SagaStep } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';

@Controller()
export class OrderConsumer {
  constructor(
    private readonly runner: DeciderRunner,
    private readonly store: OrderStore,
  ) {}

  /**
   * Steps move the order forward; ShipmentScheduled completes it (OrderCompleted); a failed step cancels it
   * (OrderCancelled, with the reason); compensations are recorded in its history.
   */
  @OnEvent(
    'PaymentAuthorized',
    'PaymentDeclined',
    'PaymentRefunded',
    'StockReserved',
    'StockReservationFailed',
    'StockReleased',
    'ShipmentScheduled',
    'ShipmentFailed',
    'ShipmentCancelled',
  )
  async on(@Payload() event: SagaStep, @Ctx() { transaction }: InboxContext): Promise<void> {
    const { state } = await this.runner.run(transaction, { decider: order, store: this.store }, event);
    if (!state) throw new EventRejectedError(`order ${event.orderId} does not exist`);
  }
}
