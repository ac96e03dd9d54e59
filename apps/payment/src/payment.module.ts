import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '@saga/outbox';
import { Clock, databaseOptions, SystemClock } from '@saga/platform';
import { PAYMENT_CONFIG, type PaymentConfig } from './config.js';
import { PaymentsController } from './http/payments.controller.js';
import { PaymentConsumer } from './messaging/payment.consumer.js';
import { CreatePayments1730000000200 } from './persistence/migrations/1730000000200-create-payments.js';
import { CreditAccountEntity, PaymentEntity } from './persistence/payment.entities.js';
import { PaymentStore } from './persistence/payment-store.js';

@Module({})
export class PaymentModule {
  static register(config: PaymentConfig): DynamicModule {
    return {
      module: PaymentModule,
      imports: [
        TypeOrmModule.forRoot(
          databaseOptions(config.DATABASE_URL, [PaymentEntity, CreditAccountEntity], [CreatePayments1730000000200]),
        ),
        OutboxModule.forRoot({
          serviceName: 'payment',
          kafkaBrokers: config.KAFKA_BROKERS,
          databaseUrl: config.DATABASE_URL,
          consumer: { groupId: config.KAFKA_CONSUMER_GROUP ?? 'payment' },
        }),
      ],
      controllers: [PaymentsController, PaymentConsumer],
      providers: [
        { provide: Clock, useClass: SystemClock },
        { provide: PAYMENT_CONFIG, useValue: config },
        PaymentStore,
      ],
    };
  }
}
