import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { uuid } from '@saga/platform';
import { PaymentStore } from '../persistence/payment-store.js';

@Controller('payments')
export class PaymentsController {
  constructor(private readonly store: PaymentStore) {}

  @Get(':orderId')
  async get(@Param('orderId', { schema: uuid }) orderId: string) {
    const payment = await this.store.findPayment(orderId);
    if (!payment) throw new NotFoundException(`no payment for order ${orderId}`);
    return payment;
  }
}
