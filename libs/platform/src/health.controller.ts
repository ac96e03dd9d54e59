import { Controller, Get, HttpException, HttpStatus, Inject, type OnModuleDestroy } from '@nestjs/common';
import { KafkaInboxServer } from '@saga/inbox';
import { OutboxRelay } from '@saga/outbox';
import { Kafka, type Admin } from 'kafkajs';
import { DataSource } from 'typeorm';

const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms))]);

/**
 * `GET /health`: 200 when the service's database and Kafka both answer, 503 naming what does not. Also what needs
 * a human though the service runs: compensations it keeps failing to apply, outbox rows it can never send.
 */
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private admin?: Admin;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(Kafka) private readonly kafka: Kafka,
    private readonly consumer: KafkaInboxServer,
    private readonly relay: OutboxRelay,
  ) {}

  @Get()
  async check() {
    const [database, kafka] = await Promise.all([
      this.probe(() => this.dataSource.query('SELECT 1')),
      this.probe(async () => {
        this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
        await this.admin.connect();
        await this.admin.describeCluster();
      }),
    ]);
    const needsAttention = {
      compensationsRetrying: this.consumer.compensationsRetrying,
      outboxRowsSetAside: database === 'up' ? await this.relay.setAsideCount().catch(() => null) : null,
    };
    const status = database === 'up' && kafka === 'up' ? 'ok' : 'unavailable';
    const body = { status, database, kafka, needsAttention };
    if (body.status !== 'ok') throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect();
  }

  private async probe(check: () => Promise<unknown>): Promise<string> {
    try {
      await within(2_000, check());
      return 'up';
    } catch (error) {
      return `down: ${(error as Error).message}`;
    }
  }
}
