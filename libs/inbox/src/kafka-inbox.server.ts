/**
 * The consumer loop behind every `@OnEvent` handler. Nest's built-in Kafka transport commits offsets on its own
 * schedule and restarts its consumer on a handler error, which blocks the partition; this one owns those choices:
 *
 *   parse and validate -> [one transaction: inbox row + handler's writes + its outbox rows] -> commit offset
 *
 * The offset is committed only after the transaction commits, so a crash in between redelivers the event, and the
 * inbox makes that redelivery a no-op. A malformed or rejected event goes to the dead-letter topic and the consumer
 * moves on, never retrying it forever; any other failure (database or broker down) is retried with backoff,
 * holding the partition so order is kept. A compensation is never given up on for a failure: dropping it would
 * leave a charge without its refund; it is retried for as long as it takes, with an error logged each time and
 * counted (`compensationsRetrying`), so that a human can see it and fix the cause.
 */
import { Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { describeEvent, isCompensation, parseEvent, topicsCarrying, type SagaEvent } from '@saga/events';
import {
  consumerLag,
  deadLetters as deadLetterCount,
  eventRetries,
  handlerSeconds,
  recordHop,
  retry,
  timeHop,
  type FaultInjector,
} from '@saga/runtime';
import { inSpanFrom, ORDER_ID_ATTRIBUTE, SpanKind, withLogFields, type Attributes } from '@saga/telemetry';
import type { Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConsumerGate } from './consumer-gate.js';
import type { DeadLetters } from './dead-letters.js';
import { isTransientFailure } from './failures.js';
import type { Inbox } from './inbox.js';
import { EventRejectedError } from './on-event.js';

export type ConsumerOptions = {
  /** Kafka consumer group, and the inbox's name for this consumer. */
  groupId: string;
  /** Who handles the events, in span names ("payment handles OrderPlaced"); the group id when not given. */
  participant?: string;
  /** Partitions processed in parallel; each partition stays strictly sequential. */
  partitionsConsumedConcurrently: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Attempts before an event whose handler fails with a non-transient error is dead-lettered (see failures.ts). */
  maxAttempts: number;
  /** Put before every topic name, so that several deployments (or test runs) can share one broker. */
  topicPrefix: string;
  /** How long the group waits for a silent (crashed) member before giving its partitions to another. */
  sessionTimeoutMs: number;
  /** Applied events are remembered this long by the inbox, then forgotten (see `Inbox.forgetOlderThan`). */
  inboxRetentionMs: number;
};

export const defaultConsumerOptions: Omit<ConsumerOptions, 'groupId'> = {
  partitionsConsumedConcurrently: 3,
  retryInitialMs: 200,
  retryMaxMs: 15_000,
  maxAttempts: 5,
  topicPrefix: '',
  sessionTimeoutMs: 30_000,
  inboxRetentionMs: 7 * 24 * 60 * 60_000,
};

/** How often the inbox forgets what has passed its retention. */
const INBOX_CLEANUP_INTERVAL_MS = 60_000;

export type MessagePosition = { topic: string; partition: number; offset: string };

/** What a handler gets through `@Ctx()`: the open transaction, and where the event came from. */
export class InboxContext extends BaseRpcContext<[EntityManager, MessagePosition]> {
  get transaction(): EntityManager {
    return this.args[0];
  }

  get position(): MessagePosition {
    return this.args[1];
  }
}

/** What came of an event; a rejection says whether the event was refused or its handler kept failing. */
type Outcome = 'applied' | 'duplicate' | 'ignored' | { rejected: string; why: 'rejected' | 'failed' };

export class KafkaInboxServer extends Server implements CustomTransportStrategy {
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(KafkaInboxServer.name);
  private consumer?: Consumer;
  private running = false;
  private stopping = new AbortController();
  private readonly stuckCompensations = new Set<string>();
  private cleanupTimer?: NodeJS.Timeout;

  constructor(
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
    private readonly options: ConsumerOptions,
    private readonly faults: FaultInjector,
    private readonly gate: ConsumerGate,
    private readonly deadLetters: DeadLetters,
  ) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  async close(): Promise<void> {
    clearInterval(this.cleanupTimer);
    this.running = false;
    this.stopping.abort();
    await this.consumer?.disconnect();
  }

  on(): never {
    throw new Error('KafkaInboxServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /** Compensations that have failed more than `maxAttempts` times and are being retried still. */
  get compensationsRetrying(): number {
    return this.stuckCompensations.size;
  }

  private async start(): Promise<void> {
    const topics = topicsCarrying(this.messageHandlers.keys()).map((topic) => this.options.topicPrefix + topic);
    if (topics.length === 0) {
      this.logger.warn('no @OnEvent handlers are registered; not consuming');
      return;
    }
    this.running = true;
    this.stopping = new AbortController();
    await this.consume(topics);
    this.logger.log(`consuming ${topics.join(', ')} as group ${this.options.groupId}`);
    this.cleanupTimer = setInterval(() => void this.forgetExpired(), INBOX_CLEANUP_INTERVAL_MS).unref();
  }

  private async consume(topics: string[]): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, this.options.sessionTimeoutMs / 3),
    });
    this.consumer = consumer;
    // kafkajs restarts a consumer after most failures, but gives up on some (a broker away longer than its
    // retries): then this starts a new one, for as long as it takes, so that a service never stops consuming.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || !this.running) return;
      this.logger.error(`the consumer stopped (${payload.error.message}); starting a new one`);
      void this.replace(consumer, topics);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    // One message at a time per partition; its offset is resolved once it has been handled, and the batch's
    // resolved offsets are committed together after its last message: a crash redelivers at most the rest of a
    // batch, which the inbox turns into no-ops, and a busy partition commits once per batch, not once per event.
    // kafkajs resolves the last message of a batch past the transaction markers that follow it, and commits
    // batches of markers (or of aborted records) by itself: the group's offsets reach the end of the topic.
    await consumer.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) return; // kafkajs commits what was resolved so far
          recordHop('delivery', Date.now() - Number(message.timestamp));
          await this.handleMessage({ topic: batch.topic, partition: batch.partition, message, heartbeat });
          resolveOffset(message.offset);
          const lag = Number(batch.highWatermark) - Number(message.offset) - 1;
          consumerLag.set({ group: this.options.groupId, topic: batch.topic, partition: batch.partition }, lag);
        }
        await timeHop('offset_commit', () => commitOffsetsIfNecessary());
      },
    });
  }

  private async replace(crashed: Consumer, topics: string[]): Promise<void> {
    await crashed.disconnect().catch(() => undefined);
    await retry(
      { initialMs: 1_000, maxMs: 15_000 },
      { what: 'starting a new consumer', logger: this.logger, signal: this.stopping.signal },
      async () => {
        if (!this.running) return;
        await this.consume(topics).catch(async (error: unknown) => {
          await this.consumer?.disconnect().catch(() => undefined);
          throw error;
        });
      },
    ).catch(() => undefined); // stopped
  }

  /** Deletes the inbox rows past their retention, so that the table holds a bounded window, not all history. */
  async forgetExpired(): Promise<void> {
    try {
      const forgotten = await this.inbox.forgetOlderThan(this.dataSource, this.options.inboxRetentionMs);
      if (forgotten > 0) this.logger.log(`forgot ${forgotten} inbox rows past their retention`);
    } catch (error) {
      this.logger.warn(`cannot forget expired inbox rows: ${(error as Error).message}`);
    }
  }

  private async handleMessage({
    topic,
    partition,
    message,
    heartbeat,
  }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>): Promise<void> {
    const position: MessagePosition = { topic, partition, offset: message.offset };
    const parsed = parseEvent(message.value, message.key);
    const participant = this.options.participant ?? this.options.groupId;
    // The handler's span continues the trace the record carries (see @saga/telemetry), so a redelivered copy
    // lands in the same trace as the first; the handler's outbox rows carry it on.
    const name = parsed.ok ? `${participant} handles ${parsed.event.type}` : `${participant} rejects a record`;
    const attributes = spanAttributes(position, message, this.options.groupId, parsed.ok ? parsed.event : undefined);
    const about = parsed.ok ? { orderId: parsed.event.orderId, eventId: parsed.event.id } : {};
    await inSpanFrom(message.headers ?? {}, name, { kind: SpanKind.CONSUMER, attributes }, (span) =>
      withLogFields(about, async () => {
        const outcome: Outcome = parsed.ok
          ? await this.processWithRetry(parsed.event, position, heartbeat)
          : { rejected: parsed.reason, why: 'rejected' };

        if (typeof outcome === 'object') {
          const reason = parsed.ok ? `${parsed.event.type} rejected: ${outcome.rejected}` : outcome.rejected;
          span.setAttributes({ 'saga.outcome': 'dead-lettered', 'saga.dead_letter_reason': reason });
          deadLetterCount.inc({ topic, reason: parsed.ok ? outcome.why : 'malformed' });
          await this.withRetry(heartbeat, `dead-lettering ${topic}[${partition}]@${message.offset}`, () =>
            this.deadLetters.send({ topic, partition, message, reason, consumer: this.options.groupId }),
          );
        } else {
          span.setAttribute('saga.outcome', outcome);
          if (parsed.ok && outcome !== 'ignored') {
            this.logger.debug?.(
              `${describeEvent(parsed.event)} ${outcome} at ${topic}[${partition}]@${message.offset}`,
            );
          }
        }
      }),
    );
  }

  private async processWithRetry(
    event: SagaEvent,
    position: MessagePosition,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    let failures = 0;
    try {
      return await this.withRetry(heartbeat, describeEvent(event), async () => {
        try {
          const outcome = await this.process(event, position);
          if (outcome === 'applied') await this.faults.at('consumer.after-commit');
          return outcome;
        } catch (error) {
          if (error instanceof EventRejectedError) return { rejected: error.message, why: 'rejected' as const };
          if (isTransientFailure(error) || ++failures < this.options.maxAttempts) {
            eventRetries.inc({ event_type: event.type });
            throw error;
          }
          if (!isCompensation(event.type)) {
            return { rejected: `failed ${failures} times: ${(error as Error).message}`, why: 'failed' as const };
          }
          eventRetries.inc({ event_type: event.type });
          this.stuckCompensations.add(event.id);
          this.logger.error(
            `${describeEvent(event)} failed ${failures} times; a compensation is never dropped, retrying until the ` +
              `cause is fixed: ${(error as Error).message}`,
          );
          throw error;
        }
      });
    } finally {
      this.stuckCompensations.delete(event.id);
    }
  }

  /**
   * Runs `work` until it succeeds, with backoff, heartbeating meanwhile so the group keeps the partition here.
   * Waits at the gate before every attempt. When the consumer stops, gives up by throwing: the offset stays
   * uncommitted, and the next owner of the partition handles the message.
   */
  private withRetry<T>(heartbeat: () => Promise<void>, what: string, work: () => Promise<T>): Promise<T> {
    const policy = { initialMs: this.options.retryInitialMs, maxMs: this.options.retryMaxMs };
    const keepAlive = () => heartbeat().catch(() => undefined);
    return retry(
      policy,
      { what, logger: this.logger, signal: this.stopping.signal, beforeRetry: keepAlive },
      async () => {
        if (!(await this.gate.passage(heartbeat, () => !this.running))) throw new Error(`stopped before ${what}`);
        return work();
      },
    );
  }

  private async process(event: SagaEvent, position: MessagePosition): Promise<Outcome> {
    const handler = this.getHandlerByPattern(event.type);
    if (!handler) return 'ignored'; // a type on a subscribed topic that this service does not react to

    const started = performance.now();
    let outcome: 'applied' | 'duplicate' | 'failed' = 'failed'; // 'failed' unless the transaction commits
    try {
      outcome = await timeHop('handler', () =>
        this.dataSource.transaction(async (transaction) => {
          if (!(await this.inbox.accept(transaction, this.options.groupId, event))) return 'duplicate';
          const result = await handler(event, new InboxContext([transaction, position]));
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
          return 'applied' as const;
        }),
      );
      return outcome;
    } finally {
      handlerSeconds.observe({ event_type: event.type, outcome }, (performance.now() - started) / 1000);
    }
  }
}

/** What a handler span says of its record and event (OpenTelemetry's messaging conventions, and the saga's own). */
function spanAttributes(
  { topic, partition, offset }: MessagePosition,
  message: KafkaMessage,
  groupId: string,
  event: SagaEvent | undefined,
): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': topic,
    'messaging.destination.partition.id': String(partition),
    'messaging.kafka.offset': Number(offset),
    'messaging.consumer.group.name': groupId,
    ...(message.key ? { 'messaging.kafka.message.key': message.key.toString() } : {}),
    ...(event
      ? {
          [ORDER_ID_ATTRIBUTE]: event.orderId,
          'saga.event_id': event.id,
          'saga.event_type': event.type,
          'saga.compensation': isCompensation(event.type),
        }
      : {}),
  };
}
