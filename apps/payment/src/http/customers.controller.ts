import { Body, Controller, ForbiddenException, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { Caller, errorResponse, Principal, Roles, uuid } from '@saga/platform';
import { z } from 'zod';
import { PAYMENT_CONFIG, type PaymentConfig } from '../config.js';
import { newAccount } from '../domain/payment.js';
import { PaymentStore } from '../persistence/payment-store.js';
import { creditResponse, presentCredit } from './payment.responses.js';

const setCreditRequest = z.strictObject({ limitCents: z.number().int().min(0).max(100_000_000_000) });

/** A customer reads its own credit; an admin reads and sets anyone's. */
@ApiBearerAuth()
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly store: PaymentStore,
    @Inject(PAYMENT_CONFIG) private readonly config: PaymentConfig,
  ) {}

  /** A customer the service has never seen has the default limit and all of it available. */
  @Get(':id/credit')
  @ApiResponse({ status: 200, description: "The customer's credit", standardSchema: creditResponse })
  @ApiResponse({ status: 403, description: "Another customer's credit", standardSchema: errorResponse })
  async credit(@Caller() caller: Principal, @Param('id', { schema: uuid }) id: string) {
    if (!caller.actsFor(id)) throw new ForbiddenException("a customer may read its own credit only, not another's");
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
  @Roles('admin')
  async setCredit(
    @Param('id', { schema: uuid }) id: string,
    @Body({ schema: setCreditRequest }) { limitCents }: z.output<typeof setCreditRequest>,
  ) {
    return presentCredit(await this.store.setLimit(id, limitCents));
  }
}
