/**
 * Keeps the order view in step with the compacted `orders` topic, and rebuilds it from offset 0 when asked or
 * when it finds the view empty at start.
 *
 * The view is a cache of the log, never a source of truth: drop it, read the topic again, and the same rows
 * come back (compaction keeps the newest snapshot of every order, so the replay is as long as the number of
 * orders, not of changes). Offsets are committed only after a batch is applied, so a crash replays a little,
 * and snapshot versions make the replay harmless. While a rebuild runs, the saga consumer is held at the
 * ConsumerGate: no saga event is decided against a view that is still filling up.
 *
 * Several instances of a service share one database, so one view, filled by one consumer group that splits the
 * partitions between them. A rebuild empties the view under every instance, so it is refused, before anything is
 * touched, while another instance is in the group; an instance that starts while another fills the view joins
 * it and waits, gate closed, until the view has caught up. "Caught up" is read from the view's stored position,
 * whichever instance applied the records.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { parseOrderSnapshot } from '@saga/events';
import { ConsumerGate, DeadLetters, type DeadLetter } from '@saga/inbox';
import { LazyConnection, orderViewMetrics, retry } from '@saga/runtime';
import { Kafka, type Admin, type Consumer, type EachBatchPayload } from 'kafkajs';
import { EventEmitter, once } from 'node:events';
import { ORDER_VIEW_OPTIONS, type OrderViewOptions } from './order-view.options.js';
import { OrderViewStore, type ViewChange } from './order-view.store.js';

export type RebuildProgress = {
  readonly reason: string;
  readonly startedAt: string;
  /** Records applied so far. */
  readonly records: number;
  /** Offsets read out of those the topic held when the rebuild began (compaction leaves gaps, so records are fewer). */
  readonly offsetsRead: number;
  readonly offsetsTotal: number;
};

export type ProjectorStatus =
  | { state: 'starting' }
  | { state: 'live' }
  /** `progress` is null until the rebuild has read where the topic ends. */
  | { state: 'rebuilding'; progress: RebuildProgress | null }
  | { state: 'failed'; error: string };

type Rebuild = {
  reason: string;
  startedAt: Date;
  /** Records this instance applied so far. */
  records: number;
  /** Per partition: its first and end offsets when the rebuild began. */
  target: Map<number, { low: bigint; high: bigint }>;
  /** Per partition: the next offset to read, as the view's stored position says. */
  next: ReadonlyMap<number, bigint>;
};

/** A rebuild would empty the view under another instance of the service. Nothing was touched. */
export class RebuildRefused extends Error {
  override readonly name = 'RebuildRefused';
}

const GATE_REASON = 'the order view is being built from the log';
/** How the projector tries again, by what failed. */
const Retry = {
  /** Starting or rebuilding the view: the broker or the database is away. Every 2 s, for as long as it takes. */
  view: { initialMs: 2_000, maxMs: 2_000 },
  /** Applying one batch: the database is away; the partition waits. */
  batch: { initialMs: 2_000, maxMs: 15_000 },
  /** Deleting the view's group while our own consumer is still leaving it. */
  leaveGroup: { initialMs: 500, maxMs: 500, attempts: 20 },
};
/** How often a rebuild reads the view's stored position, to know whether it has caught up. */
const POSITION_POLL_MS = 250;

@Injectable()
export class OrderViewProjector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderViewProjector.name);
  private readonly applied = new EventEmitter();
  private consumer?: Consumer;
  private phase: 'starting' | 'live' | 'rebuilding' | 'failed' = 'starting';
  private failure = '';
  private current?: Rebuild;
  /** This instance's member id in the view's consumer group, while it is in it. */
  private memberId?: string;
  private starting?: Promise<void>;
  private rebuilding?: Promise<void>;
  private rebuildQueued = false;
  private readonly stopping = new AbortController();
  private readonly admin: LazyConnection<Admin>;
  /** Removes this projector's readings from /metrics. */
  private unregisterMetrics: (() => void)[] = [];

  constructor(
    @Inject(Kafka) private readonly kafka: Kafka,
    private readonly store: OrderViewStore,
    private readonly gate: ConsumerGate,
    private readonly deadLetters: DeadLetters,
    @Inject(ORDER_VIEW_OPTIONS) private readonly options: OrderViewOptions,
  ) {
    this.applied.setMaxListeners(0);
    this.admin = LazyConnection.of(kafka.admin());
    // Closed from the start: the saga consumer may start before this projector does.
    this.gate.close(GATE_REASON);
  }

  /** Starts in the background: the service answers HTTP (and reports progress) while the view fills. */
  onApplicationBootstrap(): void {
    this.unregisterMetrics = [
      orderViewMetrics.rebuilding(() => [{ value: this.phase === 'rebuilding' ? 1 : 0 }]),
      orderViewMetrics.rebuildOffsets(() => {
        const progress = this.current ? progressOf(this.current) : undefined;
        if (!progress) return [];
        return [
          { labels: { kind: 'read' }, value: progress.offsetsRead },
          { labels: { kind: 'total' }, value: progress.offsetsTotal },
        ];
      }),
    ];
    this.starting = this.untilDone(() => this.start());
  }

  async onApplicationShutdown(): Promise<void> {
    for (const unregister of this.unregisterMetrics) unregister();
    this.stopping.abort();
    await this.disconnect();
    await this.admin.close((admin) => admin.disconnect());
  }

  get state(): ProjectorStatus {
    if (this.phase === 'failed') return { state: 'failed', error: this.failure };
    if (this.phase === 'rebuilding') {
      return { state: 'rebuilding', progress: this.current ? progressOf(this.current) : null };
    }
    return { state: this.phase === 'live' ? 'live' : 'starting' };
  }

  /**
   * Starts a rebuild (see `rebuild`) unless another instance of the service reads the view's group: emptying the
   * view under it would leave its events without their orders.
   * @throws RebuildRefused, having touched nothing, when another instance is in the group
   */
  async requestRebuild(reason: string): Promise<ProjectorStatus> {
    const others = await this.otherMembers();
    if (others.length > 0) throw refusal(this.options.groupId, others.length);
    this.rebuild(reason).catch(() => undefined);
    return this.state;
  }

  /**
   * Drops the view and reads the topic again from offset 0. Resolves when the view has caught up with the end
   * the topic had when the rebuild began; saga events wait until then. A second call joins the running rebuild.
   */
  rebuild(reason: string): Promise<void> {
    this.phase = 'rebuilding'; // from now on, so that whoever asked sees it at once
    this.rebuildQueued = true;
    this.rebuilding ??= (async () => {
      await this.starting;
      await this.untilDone(() => this.runRebuild(reason));
    })().finally(() => {
      this.rebuilding = undefined;
    });
    return this.rebuilding;
  }

  /** Resolves when this process applies its next batch of `orders` to the view. */
  async nextBatch(): Promise<void> {
    await once(this.applied, 'batch');
  }

  /** Where each partition of `orders` starts and ends right now. */
  async topicEnds(): Promise<Map<number, { low: bigint; high: bigint }>> {
    const offsets = await (await this.admin.get()).fetchTopicOffsets(this.options.topic);
    return new Map(offsets.map(({ partition, low, high }) => [partition, { low: BigInt(low), high: BigInt(high) }]));
  }

  private async start(): Promise<void> {
    if (await this.store.needsRebuild()) return this.runRebuild('the order view is empty, or its rebuild unfinished');
    await this.connect();
    this.goLive();
  }

  /** Runs `work` until it succeeds, or the service stops; the gate stays closed meanwhile. */
  private async untilDone(work: () => Promise<void>): Promise<void> {
    const options = { what: 'the order view', logger: this.logger, signal: this.stopping.signal };
    await retry(Retry.view, options, async () => {
      try {
        await work();
      } catch (error) {
        this.phase = 'failed';
        this.failure = (error as Error).message;
        await this.disconnect();
        throw error;
      }
    }).catch(() => undefined); // stopped
  }

  private async runRebuild(reason: string): Promise<void> {
    this.rebuildQueued = false;
    this.phase = 'rebuilding';
    this.gate.close(GATE_REASON);
    await this.disconnect();
    // Noted first, then the offsets forgotten, then the view emptied (which ends the note): a crash anywhere in
    // between leaves the note, and the next start rebuilds. Without the note, a restart would read the topic from
    // offset 0 over the old rows, keeping those whose tombstones compaction has removed since.
    await this.store.beginRebuild(reason);
    try {
      const others = await this.otherMembers();
      if (others.length > 0) throw refusal(this.options.groupId, others.length);
      await this.forgetOffsets(); // refused too, should another instance join meanwhile
    } catch (error) {
      if (!(error instanceof RebuildRefused)) throw error;
      await this.store.forgetRebuild();
      this.logger.warn(`not rebuilding the order view (${reason}): ${error.message}; joining the group instead`);
      return this.fillWithOthers('joining the other instances of this service', await this.topicEnds());
    }
    await this.store.clear();
    const target = await this.topicEnds();
    this.logger.log(
      `rebuilding the order view from ${this.options.topic} offset 0 (${reason}): ` +
        `${[...target.values()].reduce((sum, { low, high }) => sum + Number(high - low), 0)} offsets to read`,
    );
    await this.fillWithOthers(reason, target);
  }

  /**
   * Reads `orders` in the view's group (alone after a rebuild, or with the other instances) until the view's
   * stored position reaches `target`, then opens the gate.
   */
  private async fillWithOthers(reason: string, target: Map<number, { low: bigint; high: bigint }>): Promise<void> {
    const rebuild: Rebuild = { reason, startedAt: new Date(), records: 0, target, next: new Map() };
    this.current = rebuild;
    const reporter = setInterval(() => this.reportProgress(rebuild), 2_000).unref();
    try {
      await this.connect();
      for (;;) {
        rebuild.next = await this.store.position();
        if (caughtUp(rebuild) || this.stopping.signal.aborted) break;
        await Promise.race([this.nextBatch(), sleep(POSITION_POLL_MS)]);
      }
    } finally {
      clearInterval(reporter);
      this.current = undefined;
    }
    if (this.stopping.signal.aborted) return;
    const rebuilt = await this.store.summary();
    this.logger.log(
      `order view caught up in ${Date.now() - rebuild.startedAt.getTime()} ms (${reason}): ` +
        `${rebuild.records} records applied here, ${rebuilt.count} orders, checksum ${rebuilt.checksum}`,
    );
    this.goLive();
  }

  private goLive(): void {
    if (this.rebuildQueued) return; // a rebuild is waiting for the start to finish; it opens the gate
    this.phase = 'live';
    this.gate.open(GATE_REASON);
  }

  private reportProgress(rebuild: Rebuild): void {
    const { records, offsetsRead, offsetsTotal } = progressOf(rebuild);
    const percent = offsetsTotal === 0 ? 100 : Math.floor((100 * offsetsRead) / offsetsTotal);
    this.logger.log(`rebuilding the order view: ${records} records applied, ${percent}% of offsets read`);
  }

  private async connect(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      // Leaving the group (before a rebuild) waits for the fetch in flight: keep that wait short.
      maxWaitTimeInMs: 500,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, this.options.sessionTimeoutMs / 3),
    });
    this.consumer = consumer;
    // kafkajs gives up restarting a consumer after some failures: then the view is read by a new one.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping.signal.aborted || this.consumer !== consumer) return;
      this.logger.error(`the view's consumer stopped (${payload.error.message}); starting a new one`);
      const phase = this.phase;
      void this.untilDone(async () => {
        await this.disconnect();
        await this.connect();
        this.phase = phase;
      });
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.memberId = payload.memberId;
    });
    // A batch of transaction markers only (or of aborted records) never reaches eachBatch: move past it too, or
    // the view would never read a partition to its end.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      const next = BigInt(payload.lastOffset) + 1n;
      this.store
        .apply(payload.partition, next, [])
        .then(() =>
          consumer.commitOffsets([{ topic: payload.topic, partition: payload.partition, offset: next.toString() }]),
        )
        .then(() => this.applied.emit('batch'))
        .catch(() => undefined); // the next batch moves it on
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.applyBatch(consumer, payload),
    });
  }

  private async disconnect(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
    this.memberId = undefined;
  }

  /** The members of the view's group other than this instance's consumer. */
  private async otherMembers(): Promise<string[]> {
    const admin = await this.admin.get();
    const { groups } = await admin.describeGroups([this.options.groupId]);
    return (groups[0]?.members ?? []).map((member) => member.memberId).filter((id) => id !== this.memberId);
  }

  private async applyBatch(consumer: Consumer, { batch, heartbeat, isRunning }: EachBatchPayload): Promise<void> {
    const changes: ViewChange[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of batch.messages) {
      const parsed = parseOrderSnapshot(message.value, message.key);
      if (parsed.ok) changes.push({ orderId: parsed.orderId, snapshot: parsed.snapshot });
      else {
        const { topic, partition } = batch;
        rejected.push({ topic, partition, message, reason: parsed.reason, consumer: this.options.groupId });
      }
    }
    const next = BigInt(batch.lastOffset()) + 1n;
    await this.options.faults.at('order-view.before-apply');
    const applied = await retry(
      Retry.batch,
      {
        what: `applying ${batch.topic}[${batch.partition}] to the order view`,
        logger: this.logger,
        // Stopping: the batch is read again from its committed offset.
        isFinal: () => !isRunning(),
        signal: this.stopping.signal,
        beforeRetry: () => heartbeat().catch(() => undefined),
      },
      async () => {
        for (; rejected.length > 0; rejected.shift()) await this.deadLetters.send(rejected[0]!);
        await this.store.apply(batch.partition, next, changes);
        return true;
      },
    ).catch(() => false);
    if (!applied || !isRunning()) return;
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
    await heartbeat();

    if (this.current) this.current.records += batch.messages.length;
    this.applied.emit('batch');
  }

  /** Deletes the view's consumer group, so that its next consumer starts from offset 0. */
  private async forgetOffsets(): Promise<void> {
    const groupErrors = (error: unknown) =>
      ((error as { groups?: { error?: { type?: string } }[] }).groups ?? []).map((group) => group.error?.type);
    const busy = (error: unknown) => groupErrors(error).includes('NON_EMPTY_GROUP');
    const admin = await this.admin.get();
    try {
      // Our own consumer may still be leaving the group: give it a few seconds.
      await retry(Retry.leaveGroup, { what: 'deleting the group', logger: this.logger, isFinal: (e) => !busy(e) }, () =>
        admin.deleteGroups([this.options.groupId]),
      );
    } catch (error) {
      const errors = groupErrors(error);
      if (errors.length > 0 && errors.every((type) => type === 'GROUP_ID_NOT_FOUND')) return;
      if (!busy(error)) throw error;
      throw refusal(this.options.groupId, 'other', { cause: error });
    }
  }
}

const refusal = (groupId: string, others: number | 'other', options?: ErrorOptions) =>
  new RebuildRefused(
    `${others} instance(s) of this service read the order view's group ${groupId}: a rebuild would empty the ` +
      `view they use. Stop them first (or restart every instance after wiping the view)`,
    options,
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function caughtUp({ target, next }: Rebuild): boolean {
  return [...target].every(([partition, { low, high }]) => high === low || (next.get(partition) ?? low) >= high);
}

function progressOf(rebuild: Rebuild): RebuildProgress {
  let offsetsRead = 0n;
  let offsetsTotal = 0n;
  for (const [partition, { low, high }] of rebuild.target) {
    const next = rebuild.next.get(partition) ?? low;
    offsetsTotal += high - low;
    offsetsRead += (next < high ? next : high) - low;
  }
  return {
    reason: rebuild.reason,
    startedAt: rebuild.startedAt.toISOString(),
    records: rebuild.records,
    offsetsRead: Number(offsetsRead),
    offsetsTotal: Number(offsetsTotal),
  };
}
