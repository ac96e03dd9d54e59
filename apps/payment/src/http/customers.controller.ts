import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { uuid } from '@saga/platform';
import { z } from 'zod';
import { PAYMENT_CONFIG, type PaymentConfig } from '../config.js';
import { availableCredit, newAccount, type CreditAccount } from '../domain/payment.js';
import { PaymentStore } from '../persistence/payment-store.js';

const setCreditRequest = z.strictObject({ limitCents: z.number().int().min(0).max(100_000_000_000) });

@Controller('customers')
export class CustomersController {
  constructor(
    private readonly store: PaymentStore,
    @Inject(PAYMENT_CONFIG) private readonly config: PaymentConfig,
  ) {}

  /** A customer the service has never seen has the default limit and all of it available. */
  @Get(':id/credit')
  async credit(@Param('id', { schema: uuid }) id: string) {
    const account =
      (await this.store.findAccount(id)) ?? newAccount(id, this.config.PAYMENT_DEFAULT_CREDIT_LIMIT_CENTS);
    return present(account);
  }

  @Put(':id/credit')
  async setCredit(
    @Param('id', { schema: uuid }) id: string,
    @Body({ schema: setCreditRequest }) { limitCents }: z.output<typeof setCreditRequest>,
  ) {
    return present(await this.store.setLimit(id, limitCents));
  }
}

const present = (account: CreditAccount) => ({
  customerId: account.customerId,
  limitCents: account.limitCents,
  availableCents: availableCredit(account),
});
