import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { PaymentStore } from '../persistence/payment-store.js';

@Controller('payments')
export class PaymentsController {
  constructor(private readonly store: PaymentStore) {}

  @Get(':orderId')
  async get(
    @Param('orderId', new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('orderId: must be a UUID') }))
    id: string,
  ) {
    const payment = await this.store.findPayment(id);
    if (!payment) throw new NotFoundException(`no payment for order ${id}`);
    return payment;
  }
}
