import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { errorResponse, uuid } from '@saga/platform';
import { z } from 'zod';
import { PAYMENT_CONFIG, type PaymentConfig } from '../config.js';
import { newAccount } from '../domain/payment.js';
import { PaymentStore } from '../persistence/payment-store.js';
import { creditResponse, presentCredit } from './payment.responses.js';

const setCreditRequest = z.strictObject({ limitCents: z.number().int().min(0).max(100_000_000_000) });

@Controller('customers')
export class CustomersController {
  constructor(
    private readonly store: PaymentStore,
    @Inject(PAYMENT_CONFIG) private readonly config: PaymentConfig,
  ) {}

  /** A customer the service has never seen has the default limit and all of it available. */
  @Get(':id/credit')
  @ApiResponse({ status: 200, description: "The customer's credit", standardSchema: creditResponse })
  async credit(@Param('id', { schema: uuid }) id: string) {
    const account =
      (await this.store.findAccount(id)) ?? newAccount(id, this.config.PAYMENT_DEFAULT_CREDIT_LIMIT_CENTS);
    return presentCredit(account);
  }

  @Put(':id/credit')
  @ApiResponse({ status: 200, description: 'The credit, with its new limit', standardSchema: creditResponse })
  @ApiResponse({
    status: 400,
    description: 'A field is missing or wrong; each is named',
    standardSchema: errorResponse,
  })
  async setCredit(
    @Param('id', { schema: uuid }) id: string,
    @Body({ schema: setCreditRequest }) { limitCents }: z.output<typeof setCreditRequest>,
  ) {
    return presentCredit(await this.store.setLimit(id, limitCents));
  }
}
