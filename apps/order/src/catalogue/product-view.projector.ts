/**
 * Keeps the order service's product view (product-view.ts) in step with the compacted `products` topic: the
 * pattern of every service's view of the orders (@saga/order-view), in its simplest form.
 *
 * - The topic is read from offset 0 by a consumer group of the service's own; compaction keeps the newest snapshot
 *   of each SKU, so the replay is as long as the catalogue, not as its history.
 * - A snapshot replaces an older version of its SKU, a tombstone removes it, and a record that is not a product
 *   goes to `products.dlq` while the view moves on.
 * - Offsets are committed after the batch is written, so a crash replays a little, and versions make that harmless.
 * - A view found empty at start (a new database) reads the topic from offset 0 again: its group's offsets are deleted.
 *
 * A SKU the view does not hold may only be late: a product set at inventory a moment ago is still on its way.
 * So the service is not ready (`/health/ready`) until the view has read the topic as far as it reached at start,
 * and an order naming an unknown SKU waits, briefly, for the view to read everything published before it
 * (`readUpToNow`): only then is it answered 422 (not sold), or 503 (try again) if the view could not catch up.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { parseProductSnapshot } from '@saga/events';
import { DeadLetters, type DeadLetter } from '@saga/inbox';
import { unreadPartitions } from '@saga/kafka';
import { Readiness } from '@saga/platform';
import { LazyConnection, retry } from '@saga/runtime';
import { Kafka, type Admin, type Consumer, type EachBatchPayload } from 'kafkajs';
import { ProductView, type ProductChange } from './product-view.js';

export type ProductViewOptions = {
  readonly groupId: string;
  readonly topic: string;
  readonly sessionTimeoutMs: number;
};
export const PRODUCT_VIEW_OPTIONS = Symbol('PRODUCT_VIEW_OPTIONS');

/** Why the broker may refuse to delete a group for a while: a member still in it, a coordinator moving or loading. */
const WAIT_AND_RETRY = [
  'NON_EMPTY_GROUP',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
];

/** kafkajs's error from deleteGroups: one entry per group it could not delete. */
type GroupsError = Error & { groups?: { error?: { type?: string } }[] };

const CATCH_UP_POLL_MS = 250;
const LOADING = 'the product view is reading the catalogue (products)';

@Injectable()
export class ProductViewProjector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProductViewProjector.name);
  private readonly admin: LazyConnection<Admin>;
  private readonly stopping = new AbortController();
  private consumer?: Consumer;
  private caughtUp = false;

  constructor(
    @Inject(Kafka) private readonly kafka: Kafka,
    private readonly view: ProductView,
    private readonly deadLetters: DeadLetters,
    private readonly readiness: Readiness,
    @Inject(PRODUCT_VIEW_OPTIONS) private readonly options: ProductViewOptions,
  ) {
    this.admin = LazyConnection.of(kafka.admin());
    this.readiness.hold(LOADING); // /health/ready: not before the prices are known
  }

  onApplicationBootstrap(): void {
    this.run();
  }

  /** Starts in the background, retrying while the broker is away: the service answers HTTP meanwhile. */
  private run(): void {
    void retry(
      { initialMs: 2_000, maxMs: 2_000 },
      { what: 'starting the product view', logger: this.logger, signal: this.stopping.signal },
      () => this.start(),
    ).catch(() => undefined); // only when stopping
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin.close((admin) => admin.disconnect());
  }

  private async start(): Promise<void> {
    const { groupId, topic } = this.options;
    await this.consumer?.disconnect().catch(() => undefined); // a crashed consumer of ours leaves the group first
    if ((await this.view.isEmpty()) && (await this.topicHoldsRecords())) await this.forgetOffsets();
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, this.options.sessionTimeoutMs / 3),
    });
    this.consumer = consumer;
    // kafkajs gives up restarting a consumer after some failures: then the view is read by a new one.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping.signal.aborted || this.consumer !== consumer) return;
      this.logger.error(`the product view's consumer stopped (${payload.error.message}); starting a new one`);
      this.run();
    });
    // A batch of transaction markers only (the relay publishes in transactions) never reaches eachBatch: commit past
    // it too, or the group would never reach the end of the partition, and the view never be ready.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      const offset = (BigInt(payload.lastOffset) + 1n).toString();
      consumer.commitOffsets([{ topic: payload.topic, partition: payload.partition, offset }]).catch(() => undefined);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.applyBatch(consumer, payload) });
    void this.untilCaughtUp();
  }

  /**
   * A new (or emptied) view holds nothing of what its group's committed offsets say it read: they are deleted, so
   * that the consumer starts from offset 0. The broker refuses while the group has a member, such as a killed
   * instance not yet timed out, another instance starting at the same moment, or while its coordinator moves: then
   * this waits, until the view fills (that other instance reads the topic into the same database), or until a
   * member that stays is known to be a live instance, whose view this is too.
   */
  private async forgetOffsets(): Promise<void> {
    const admin = await this.admin.get();
    const deadline = Date.now() + this.options.sessionTimeoutMs + 5_000;
    for (;;) {
      const refusal = await admin.deleteGroups([this.options.groupId]).then(
        () => undefined,
        (error: GroupsError) => error,
      );
      const types = refusal?.groups?.map((group) => group.error?.type) ?? [];
      if (!refusal || types.every((type) => type === 'GROUP_ID_NOT_FOUND')) return; // deleted, or never existed
      if (!types.every((type) => type && WAIT_AND_RETRY.includes(type))) {
        throw new Error(`the product view is empty, and its group's offsets cannot be deleted: ${refusal.message}`);
      }
      if (Date.now() > deadline) {
        // Another instance reads the group, on this same database: what the view holds is what the topic says
        // (every product withdrawn, say), unless that database was emptied under it, which no restart here mends.
        this.logger.warn(`the product view is empty while another instance reads its group; reading on with it`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (!(await this.view.isEmpty())) return; // another instance of the service, on this database, fills it
    }
  }

  /** An empty topic (no product ever set) leaves an empty view nothing to catch up on. */
  private async topicHoldsRecords(): Promise<boolean> {
    const ends = await (await this.admin.get()).fetchTopicOffsets(this.options.topic);
    return ends.some(({ low, high }) => BigInt(high) > BigInt(low));
  }

  private async applyBatch(consumer: Consumer, { batch, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const changes: ProductChange[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of batch.messages) {
      const parsed = parseProductSnapshot(message.value, message.key);
      if (parsed.ok) changes.push({ sku: parsed.sku, product: parsed.product });
      else {
        const { topic, partition } = batch;
        rejected.push({ topic, partition, message, reason: parsed.reason, consumer: this.options.groupId });
      }
    }
    await this.view.apply(changes);
    for (const deadLetter of rejected) await this.deadLetters.send(deadLetter);
    if (!isRunning() || isStale()) return; // the partition has moved to another member: it commits from now on
    const offset = (BigInt(batch.lastOffset()) + 1n).toString();
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
  }

  /**
   * Waits (at most `timeoutMs`) until the view holds every product published before this call: so that a SKU set
   * a moment ago at inventory is not taken for one that is not sold. False when the view is not there in time.
   */
  async readUpToNow(timeoutMs = 3_000): Promise<boolean> {
    const { groupId, topic } = this.options;
    const deadline = Date.now() + timeoutMs;
    try {
      const admin = await this.admin.get();
      const now = await admin.fetchTopicOffsets(topic);
      while ((await unreadPartitions(admin, groupId, topic, now)).size > 0) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return true;
    } catch {
      return false; // the broker is away: the caller cannot tell "not sold" from "not heard of yet"
    }
  }

  /** Polls the group's progress until it has read, at least once, as far as the topic reached. */
  private async untilCaughtUp(): Promise<void> {
    while (!this.caughtUp && !this.stopping.signal.aborted) {
      const unread = await this.admin
        .get()
        .then((admin) => unreadPartitions(admin, this.options.groupId, this.options.topic))
        .catch(() => null);
      if (unread?.size === 0) {
        this.caughtUp = true;
        this.readiness.release(LOADING);
        this.logger.log(`the product view has read ${this.options.topic} to its end: orders are priced from it`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
    }
  }
}
