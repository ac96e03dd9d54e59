import { Module, type DynamicModule } from '@nestjs/common';
import { SagaServiceModule } from '@saga/platform';
import { PAYMENT_CONFIG, type PaymentConfig } from './config.js';
import { CustomersController } from './http/customers.controller.js';
import { PaymentsController } from './http/payments.controller.js';
import { PaymentConsumer } from './messaging/payment.consumer.js';
import { CreatePayments1730000000200 } from './persistence/migrations/1730000000200-create-payments.js';
import { PaymentFacts1730000001200 } from './persistence/migrations/1730000001200-payment-facts.js';
import { CreditAccountEntity, PaymentEntity } from './persistence/payment.entities.js';
import { PaymentStore } from './persistence/payment-store.js';

@Module({})
export class PaymentModule {
  static register(config: PaymentConfig): DynamicModule {
    return {
      module: PaymentModule,
      imports: [
        SagaServiceModule.register({
          serviceName: 'payment',
          config,
          entities: [PaymentEntity, CreditAccountEntity],
          orderView: true,
          migrations: [CreatePayments1730000000200, PaymentFacts1730000001200],
        }),
      ],
      controllers: [CustomersController, PaymentsController, PaymentConsumer],
      providers: [{ provide: PAYMENT_CONFIG, useValue: config }, PaymentStore],
    };
  }
}
