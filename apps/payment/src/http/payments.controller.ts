import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { errorResponse, Roles, uuid } from '@saga/platform';
import { PaymentStore } from '../persistence/payment-store.js';
import { paymentResponse, presentPayment } from './payment.responses.js';

/** For the shop's staff: a customer follows its order on the order service. */
@ApiBearerAuth()
@Roles('admin')
@Controller('payments')
export class PaymentsController {
  constructor(private readonly store: PaymentStore) {}

  @Get(':orderId')
  @ApiResponse({ status: 200, description: "The order's payment", standardSchema: paymentResponse })
  @ApiResponse({ status: 404, description: 'Payment has not heard of the order', standardSchema: errorResponse })
  async get(@Param('orderId', { schema: uuid }) orderId: string) {
    const payment = await this.store.findPayment(orderId);
    if (!payment) throw new NotFoundException(`no payment for order ${orderId}`);
    return presentPayment(payment);
  }
}
