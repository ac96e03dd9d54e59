/** Every event the order service reacts to, and what it does with it. */
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { EventRejectedError, InboxContext, OnEvent } from '@saga/inbox';
import { Clock } from '@saga/platform';
import { onSagaStep, type SagaStep } from '../domain/order.js';
import { OrderStore } from '../persistence/order-store.js';

@Controller()
export class OrderConsumer {
  constructor(
    private readonly store: OrderStore,
    private readonly clock: Clock,
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
  async onSagaStep(@Payload() event: SagaStep, @Ctx() { transaction }: InboxContext): Promise<void> {
    const decision = await this.store.update(transaction, event.orderId, (order) =>
      onSagaStep(order, event, this.clock.now()),
    );
    if (!decision) throw new EventRejectedError(`order ${event.orderId} does not exist`);
  }
}
