import { bigintAsNumber } from '@saga/platform';
import { EntitySchema } from 'typeorm';
import type { CreditAccount, Payment } from '../domain/payment.js';

export const PaymentEntity = new EntitySchema<Payment>({
  name: 'Payment',
  tableName: 'payments',
  columns: {
    orderId: { type: 'uuid', primary: true, name: 'order_id' },
    customerId: { type: 'uuid', name: 'customer_id', nullable: true },
    amountCents: { type: 'bigint', name: 'amount_cents', transformer: bigintAsNumber },
    status: { type: 'text' },
    declineReason: { type: 'text', name: 'decline_reason', nullable: true },
    cancelled: { type: 'boolean' },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
  },
});

export const CreditAccountEntity = new EntitySchema<CreditAccount>({
  name: 'CreditAccount',
  tableName: 'credit_accounts',
  columns: {
    customerId: { type: 'uuid', primary: true, name: 'customer_id' },
    limitCents: { type: 'bigint', name: 'limit_cents', transformer: bigintAsNumber },
    usedCents: { type: 'bigint', name: 'used_cents', transformer: bigintAsNumber },
  },
});
