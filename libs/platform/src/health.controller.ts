import { Controller, Get, HttpException, HttpStatus, Inject, type OnModuleDestroy } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerGate, KafkaInboxServer } from '@saga/inbox';
import { OutboxRelay } from '@saga/outbox';
import { Kafka, type Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Public } from './identity.js';
import { Readiness } from './readiness.js';

/** How long a dependency may take to answer a probe before it counts as down. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Health, as platforms ask for it, and as a human does:
 *
 * - `GET /health/live`: the process runs and serves. Nothing outside it is asked, so a broker or database outage
 *   never gets a service restarted: restarting cannot fix them, and the service waits them out by itself.
 * - `GET /health/ready`: the service can do its work now: its database and Kafka answer, its consumer is not
 *   held (a view being rebuilt from the log holds it), and nothing else it needs is still loading (Readiness).
 *   503 otherwise; send it no traffic meanwhile.
 * - `GET /health`: the same answer for a human, with what needs one even though the service runs: compensations it
 *   keeps failing to apply, outbox rows it can never send.
 */
@Public() // for the platform's probes: they reveal nothing about customers
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private admin?: Admin;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(Kafka) private readonly kafka: Kafka,
    private readonly consumer: KafkaInboxServer,
    private readonly relay: OutboxRelay,
    private readonly gate: ConsumerGate,
    private readonly readiness: Readiness,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([
      () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(() => this.pingDatabase())
          .withTimeout(PROBE_TIMEOUT_MS),
      () =>
        this.indicators
          .check('kafka')
          .attempt(() => this.pingKafka())
          .withTimeout(PROBE_TIMEOUT_MS),
      () => {
        const consumer = this.indicators.check('consumer');
        return this.gate.isOpen ? consumer.up() : consumer.down({ heldBy: this.gate.heldBy });
      },
      () => {
        const loading = this.indicators.check('loading');
        const heldBy = this.readiness.heldBy;
        return heldBy.length === 0 ? loading.up() : loading.down({ heldBy });
      },
    ]);
  }

  @Get()
  async report() {
    const [database, kafka] = await Promise.all([
      this.probe(() => this.pingDatabase()),
      this.probe(() => this.pingKafka()),
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

  private async pingDatabase(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  private async pingKafka(): Promise<void> {
    this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
    await this.admin.connect();
    await this.admin.describeCluster();
  }

  private async probe(check: () => Promise<unknown>): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([check(), timeout]);
      return 'up';
    } catch (error) {
      return `down: ${(error as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
  }
}
