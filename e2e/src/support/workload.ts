/**
 * A mixed workload, and the invariants it must keep whatever happened while it ran: crashes, restarts, outages.
 *
 * Every scenario has an outcome that depends only on its own data (a customer with no credit, a SKU with no stock,
 * a country shipping does not serve), so a wrong outcome is a bug, never a race between two orders. The checks run
 * once the system is quiet (every outbox sent, every consumer group at the end of its topics) and look at the
 * effects in every service, not at what the services say about themselves.
 */
import { DEAD_LETTER_SUFFIX, sagaParticipants, Topics } from '@saga/events';
import { DeadLetterHeader } from '@saga/inbox';
import { unreadPartitions, viewGroup } from '@saga/kafka';
import { eventually, TopicReader } from '@saga/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { countSteps, TERMINAL, type Order, type SagaClient } from './saga-client.js';
import { SERVICE_NAMES, type SagaServices } from './saga-services.js';

export const SCENARIOS = ['happy', 'declined', 'out-of-stock', 'no-shipping', 'cancelled'] as const;
export type Scenario = (typeof SCENARIOS)[number];

type Item = { sku: string; quantity: number };
type Placed = { orderId: string; scenario: Scenario; items: Item[] };
type Poison = { topic: string; key: string; kind: string };

/** How each scenario may end. A customer's cancellation can lose the race against the saga. */
const outcomes: Record<Scenario, string[]> = {
  happy: ['COMPLETED'],
  declined: ['CANCELLED PAYMENT_DECLINED'],
  'out-of-stock': ['CANCELLED OUT_OF_STOCK'],
  'no-shipping': ['CANCELLED SHIPPING_UNAVAILABLE'],
  cancelled: ['CANCELLED CUSTOMER_CANCELLED', 'COMPLETED'],
};

const RICH = 1_000_000_000;
const POOR = 100;
const IN_STOCK = 1_000_000;
/** Poison records, one of each kind, for the consumers to set aside. */
const poisonKinds: Record<string, (key: string) => string> = {
  'not JSON': () => '{ this is not json',
  'unknown type': (key) => JSON.stringify({ id: randomUUID(), type: 'OrderTeleported', version: 1, orderId: key }),
  'invalid data': (key) =>
    JSON.stringify({ id: 'not-a-uuid', type: 'OrderPlaced', version: 1, orderId: key, occurredAt: 'yesterday' }),
};

export type Check = { name: string; ok: boolean; detail: string };

export class Workload {
  readonly placed: Placed[] = [];
  readonly poison: Poison[] = [];

  private constructor(
    private readonly saga: SagaServices,
    private readonly client: SagaClient,
    private readonly rich: string[],
    private readonly poor: string,
    private readonly skus: string[],
    private readonly soldOut: string,
  ) {}

  /**
   * Customers and products for every scenario: three rich customers, one with no credit, three products at prices
   * of their own, and a sold-out one.
   */
  static async prepare(saga: SagaServices, client: SagaClient): Promise<Workload> {
    const [rich, poor, skus, soldOut] = await Promise.all([
      Promise.all([1, 2, 3].map(() => client.customerWithLimit(RICH))),
      client.customerWithLimit(POOR),
      Promise.all([1, 2, 3].map(() => client.stockedSku(IN_STOCK, 100 + Math.floor(Math.random() * 5_000)))),
      client.stockedSku(1),
    ]);
    return new Workload(saga, client, rich, poor, skus, soldOut);
  }

  /**
   * Places `count` orders, cycling through the scenarios, from `concurrency` clients that each pause up to
   * `pauseMs` between orders (so that orders keep arriving while things break).
   */
  async placeMany(count: number, { concurrency = 4, pauseMs = 0 } = {}): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          await this.place(SCENARIOS[next++ % SCENARIOS.length]!);
          if (pauseMs) await new Promise((resolve) => setTimeout(resolve, Math.random() * pauseMs));
        }
      }),
    );
  }

  /**
   * Places `count` orders at `perSecond`, on a schedule (open loop): each order is sent at its time whether or not
   * the earlier ones have been answered, as the benchmark places them (docs/benchmarks.md).
   */
  async placeAtRate(count: number, perSecond: number): Promise<void> {
    const started = Date.now();
    const placed: Promise<string>[] = [];
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      placed.push(this.place(SCENARIOS[i % SCENARIOS.length]!));
    }
    await Promise.all(placed);
  }

  /**
   * Places one order, retrying with the same Idempotency-Key until the order service answers 201: it may be down,
   * or its database may be, and a retry must not place a second order.
   */
  async place(scenario: Scenario): Promise<string> {
    const pick = <T>(values: T[]) => values[Math.floor(Math.random() * values.length)]!;
    const line = (sku: string, quantity = 1 + Math.floor(Math.random() * 3)) => ({ sku, quantity });
    const skus = [...this.skus].sort(() => Math.random() - 0.5).slice(0, 1 + Math.floor(Math.random() * 2));
    // The sold-out line comes with lines in stock: a reservation is all or nothing.
    const items = scenario === 'out-of-stock' ? [line(this.soldOut, 2), line(skus[0]!)] : skus.map((sku) => line(sku));
    const customerId = scenario === 'declined' ? this.poor : pick(this.rich);
    const country = scenario === 'no-shipping' ? 'AQ' : 'GB';
    const key = randomUUID();
    const orderId = await untilAnswered(`placing a ${scenario} order`, () =>
      this.client.placeOrder(customerId, items, country, key),
    );
    this.placed.push({ orderId, scenario, items });
    if (scenario === 'cancelled') {
      await untilAnswered(`cancelling ${orderId}`, async () => {
        const { status, body } = await this.client.cancel(orderId);
        // 409: the saga ended first, which the outcome allows.
        if (status >= 500) throw new Error(`answered ${status}: ${JSON.stringify(body)}`);
      });
    }
    return orderId;
  }

  /** Records every consumer must set aside: each kind of poison once on every event topic and state topic. */
  async injectPoison(): Promise<void> {
    const records = Object.values(Topics).flatMap((topic) =>
      Object.entries(poisonKinds).map(([kind, value]) => {
        const key = randomUUID();
        return { topic: this.saga.topic(topic), key, kind, value: value(key) };
      }),
    );
    const producer = new Kafka({ brokers: this.saga.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      for (const { topic, key, value } of records) await producer.send({ topic, messages: [{ key, value }] });
    } finally {
      await producer.disconnect();
    }
    this.poison.push(...records.map(({ topic, key, kind }) => ({ topic, key, kind })));
  }

  /**
   * Waits until every order placed has ended, every outbox is sent and every consumer group of the run has read its
   * topics to the end. The orders are asked first: "at the end" is measured where a reader of committed records
   * stops (the last stable offset), and a transaction committed while a broker was away can leave its records
   * below that line for a while, with every outbox row already marked sent and every group seemingly done.
   */
  async untilQuiet(timeoutMs: number): Promise<void> {
    await eventually(
      () => this.pendingWork(),
      (pending) => pending.length === 0,
      {
        timeoutMs,
        intervalMs: 500,
        what: 'every order ended, every outbox sent and every consumer group at the end of its topics',
      },
    );
  }

  /** Checks every invariant; the system must be quiet first (untilQuiet). */
  async check(): Promise<Check[]> {
    const orders = await this.client.allOrders();
    const byId = new Map(orders.map((order) => [order.orderId, order]));
    const mine = this.placed.map((placed) => ({ ...placed, order: byId.get(placed.orderId) }));
    const completed = mine.filter(({ order }) => order?.status === 'COMPLETED');
    const checks: Check[] = [];
    const check = (name: string, failures: string[], detail: string) =>
      checks.push({
        name,
        ok: failures.length === 0,
        detail: failures.length ? failures.slice(0, 5).join('; ') : detail,
      });

    const statuses = countBy(mine.map(({ order }) => (order ? outcome(order) : 'MISSING')));
    check(
      'every order ended',
      mine
        .filter(({ order }) => !order || !TERMINAL.includes(order.status))
        .map(({ orderId }) => `${orderId} did not end`),
      `${mine.length} orders: ${Object.entries(statuses)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ')}`,
    );
    check(
      'each ended as its scenario must',
      mine
        .filter(({ scenario, order }) => order && !outcomes[scenario].includes(outcome(order)))
        .map(({ scenario, orderId, order }) => `${scenario} order ${orderId} ended ${outcome(order!)}`),
      'happy completed; declined, out of stock, no shipping cancelled with their reason',
    );

    const charged = (await Promise.all([...this.rich, this.poor].map((id) => this.client.credit(id)))).reduce(
      (sum, credit) => sum + credit.limitCents - credit.availableCents,
      0,
    );
    const completedTotal = completed.reduce((sum, { order }) => sum + order!.totalCents, 0);
    check(
      'credit charged = totals of completed orders',
      charged === completedTotal ? [] : [`charged ${charged}, completed orders total ${completedTotal}`],
      `${charged} cents`,
    );

    const stockFailures: string[] = [];
    let soldUnits = 0;
    for (const sku of [...this.skus, this.soldOut]) {
      const stock = await this.client.stock(sku);
      const sold = completed.flatMap(({ items }) => items).filter((item) => item.sku === sku);
      const expected = sold.reduce((sum, item) => sum + item.quantity, 0);
      const initial = sku === this.soldOut ? 1 : IN_STOCK;
      soldUnits += stock.sold;
      if (stock.sold !== expected) stockFailures.push(`${sku} sold ${stock.sold}, completed orders hold ${expected}`);
      if (stock.reserved !== 0) stockFailures.push(`${sku} still has ${stock.reserved} reserved`);
      if (stock.available + stock.sold !== initial)
        stockFailures.push(`${sku}: ${JSON.stringify(stock)} from ${initial}`);
    }
    check('stock sold = quantities of completed orders, nothing reserved', stockFailures, `${soldUnits} units sold`);

    const shipments = new Map(
      (
        await this.saga.query<{ order_id: string; status: string }>(
          'shipping',
          'SELECT order_id, status FROM shipments',
        )
      ).map((row) => [row.order_id, row.status]),
    );
    check(
      'one shipment per completed order, none for cancelled ones',
      mine.flatMap(({ orderId, order }) => {
        const shipment = shipments.get(orderId);
        if (order?.status === 'COMPLETED' && shipment !== 'SCHEDULED')
          return [`completed ${orderId} has shipment ${shipment}`];
        if (order?.status === 'CANCELLED' && shipment === 'SCHEDULED')
          return [`cancelled ${orderId} has a scheduled shipment`];
        return [];
      }),
      `${[...shipments.values()].filter((status) => status === 'SCHEDULED').length} scheduled`,
    );

    check(
      'no event applied twice',
      mine.flatMap(({ orderId, order }) =>
        Object.entries(order ? countSteps(order) : {})
          .filter(([, count]) => count > 1)
          .map(([type, count]) => `${orderId} saw ${type} ${count} times`),
      ),
      `${mine.reduce((sum, { order }) => sum + (order?.history.length ?? 0), 0)} steps, each once`,
    );

    checks.push(await this.checkDeadLetters());
    checks.push(await this.checkNewestSnapshots(byId));

    const views = await Promise.all(SERVICE_NAMES.map((name) => this.client.orderView(name)));
    check(
      'every view equals the order service',
      views
        .filter((view) => view.checksum !== views[0]!.checksum || view.count !== views[0]!.count)
        .map((view) => `a view holds ${view.count} orders, ${view.checksum.slice(0, 12)}`),
      `${views[0]!.count} orders, checksum ${views[0]!.checksum.slice(0, 12)}`,
    );
    return checks;
  }

  /** Every injected poison record was set aside once by each consumer of its topic, and nothing else was. */
  private async checkDeadLetters(): Promise<Check> {
    const name = 'every dead letter accounted for';
    const consumers = await this.consumersByTopic();
    const expected = this.poison.flatMap(({ topic, key, kind }) =>
      (consumers.get(topic) ?? []).map((consumer) => ({ topic, key, kind, consumer })),
    );
    const topics = Object.values(Topics).map((topic) => this.saga.topic(topic) + DEAD_LETTER_SUFFIX);
    const reader = await TopicReader.start(this.saga.kafkaBrokers, topics);
    try {
      const letters = await reader
        .waitFor((messages) => messages.length >= expected.length, 15_000)
        .catch(() => reader.messages);
      await new Promise((resolve) => setTimeout(resolve, 500)); // anything beyond the expected ones
      const seen = reader.messages.map((letter) => ({
        topic: letter.headers[DeadLetterHeader.sourceTopic],
        key: letter.key,
        consumer: letter.headers[DeadLetterHeader.consumer],
        reason: letter.headers[DeadLetterHeader.reason],
      }));
      const id = (letter: { topic?: string; key: string | null; consumer?: string }) =>
        `${letter.topic}/${letter.key}/${letter.consumer}`;
      const expectedIds = new Set(expected.map(id));
      const failures = [
        ...seen
          .filter((letter) => !expectedIds.has(id(letter)))
          .map((letter) => `unexpected dead letter ${id(letter)}: ${letter.reason}`),
        ...seen.filter((letter) => !letter.reason).map((letter) => `${id(letter)} has no reason`),
        ...expected
          .filter((poison) => seen.filter((letter) => id(letter) === id(poison)).length !== 1)
          .map(
            (poison) =>
              `${poison.kind} on ${poison.topic} set aside by ${poison.consumer} ${seen.filter((l) => id(l) === id(poison)).length} times`,
          ),
      ];
      return {
        name,
        ok: failures.length === 0,
        detail: failures.length
          ? failures.slice(0, 5).join('; ')
          : `${letters.length} dead letters, each an injected poison record`,
      };
    } finally {
      await reader.stop();
    }
  }

  /**
   * The record that compaction will keep of each order, the newest in `orders`, carries the order's highest
   * version: no snapshot was published out of order (a fenced relay's late write, a redrive of an old snapshot).
   */
  private async checkNewestSnapshots(orders: Map<string, Order>): Promise<Check> {
    const name = "newest record of each order in orders has the order's version";
    const topic = this.saga.topic(Topics.orders);
    const reader = await TopicReader.start(this.saga.kafkaBrokers, [topic]);
    try {
      const records = await this.saga.withAdmin((admin) => reader.untilEnd(admin, topic));
      const mine = new Set(this.placed.map((placed) => placed.orderId)); // not the poison records
      const newest = new Map<string, number | null>();
      for (const { key, value } of records) {
        if (key !== null && mine.has(key)) newest.set(key, value === null ? null : JSON.parse(value).version);
      }
      const failures = this.placed.flatMap(({ orderId }) => {
        const order = orders.get(orderId);
        const version = newest.get(orderId);
        if (!order) return [];
        if (version === undefined) return [`${orderId} has no record in orders`];
        return version === order.version
          ? []
          : [`${orderId}: newest record v${version}, the order is v${order.version}`];
      });
      return {
        name,
        ok: failures.length === 0,
        detail: failures.length
          ? failures.slice(0, 5).join('; ')
          : `${newest.size} orders, each newest record at the order's version`,
      };
    } finally {
      await reader.stop();
    }
  }

  /** What still has to happen: orders still running, unsent outbox rows, consumer groups behind a topic's end. */
  private async pendingWork(): Promise<string[]> {
    const ended = new Set(
      (await this.client.allOrders()).filter((order) => TERMINAL.includes(order.status)).map((order) => order.orderId),
    );
    const running = this.placed.filter(({ orderId }) => !ended.has(orderId)).length;
    const pending = running > 0 ? [`${running} orders still running`] : [];
    for (const name of SERVICE_NAMES) {
      const [row] = await this.saga.query<{ count: string }>(
        name,
        'SELECT count(*) FROM outbox WHERE published_at IS NULL',
      );
      if (row!.count !== '0') pending.push(`${name}: ${row!.count} outbox rows to send`);
    }
    await this.saga.withAdmin(async (admin) => {
      for (const [topic, groups] of await this.consumersByTopic()) {
        for (const group of groups) {
          const unread = await unreadPartitions(admin, group, topic);
          if (unread.size) pending.push(`${group} behind on ${topic}`);
        }
      }
    });
    return pending;
  }

  /** The run's consumer groups (the services' and their views'), by the topics they have committed offsets on. */
  private async consumersByTopic(): Promise<Map<string, string[]>> {
    return this.saga.withAdmin(async (admin) => {
      // By name, not from listGroups: a broker that is down (or just back) can leave a group out of that list.
      const groups = SERVICE_NAMES.flatMap((name) => {
        const group = this.saga.topic(name);
        return [group, ...sagaParticipants[name].views.map((view) => viewGroup(group, view))];
      });
      const byTopic = new Map<string, string[]>();
      for (const groupId of groups) {
        for (const { topic } of await admin.fetchOffsets({ groupId })) {
          if (!topic.endsWith(DEAD_LETTER_SUFFIX)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), groupId]);
        }
      }
      return byTopic;
    });
  }
}

/** Renders the checks as the invariant run prints them. */
export const report = (checks: Check[]): string =>
  checks.map(({ name, ok, detail }) => `  ${ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(62)} ${detail}`).join('\n');

/** "COMPLETED", or "CANCELLED" and the reason. */
const outcome = (order: Order) => `${order.status} ${order.reason ?? ''}`.trim();

const countBy = (values: string[]) =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

/**
 * Retries `call` while the service is unreachable (fetch fails) or answers 5xx (a crash, an outage), for up to two
 * minutes, as a careful client would. Any other failure is an answer, and ends the wait.
 */
async function untilAnswered<T>(what: string, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      // fetch fails with a TypeError from Node's own realm, which `instanceof` in a Jest test does not recognise.
      const unreachable = (error as Error).name === 'TypeError' || /answered 5\d\d/.test((error as Error).message);
      if (!unreachable || Date.now() > deadline) {
        throw new Error(`${what}: ${(error as Error).message} (attempt ${attempt})`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1_000)));
    }
  }
}
