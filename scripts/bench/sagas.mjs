// The saga under load. Orders are placed open-loop: on a schedule of `rate` per second, whether or not the earlier
// ones have ended (a closed loop, placing the next when the last ends, would slow down with the system and hide
// its queueing). Each order's end is read where every service reads it, on the compacted `orders` topic: the
// first snapshot with status COMPLETED or CANCELLED. Latency is from sending `POST /orders` to receiving that
// snapshot.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminAuthorization, demoToken } from '../demo-token.mjs';
import { summary } from './stats.mjs';

export const BENCH_SKU = 'BENCH-1';
const TERMINAL = new Set(['COMPLETED', 'CANCELLED']);

/** Follows `orders` from its end: resolves each watched order's end time. */
export class OrderEnds {
  #ends = new Map(); // orderId -> { at, status } once ended
  #consumer;

  static async start(kafka, topic) {
    const ends = new OrderEnds();
    ends.#consumer = kafka.consumer({ groupId: `bench.order-ends.${randomUUID()}`, maxWaitTimeInMs: 100 });
    await ends.#consumer.connect();
    await ends.#consumer.subscribe({ topics: [topic], fromBeginning: false });
    const joined = new Promise((resolve) => {
      const off = ends.#consumer.on(ends.#consumer.events.GROUP_JOIN, () => (off(), resolve()));
    });
    await ends.#consumer.run({
      eachBatch: async ({ batch }) => {
        const at = performance.now();
        for (const message of batch.messages) {
          if (!message.value) continue;
          const { orderId, status, reason } = JSON.parse(message.value.toString());
          if (TERMINAL.has(status) && !ends.#ends.has(orderId)) ends.#ends.set(orderId, { at, status, reason });
        }
      },
    });
    await joined;
    return ends;
  }

  endOf(orderId) {
    return this.#ends.get(orderId);
  }

  async stop() {
    await this.#consumer.disconnect();
  }
}

/**
 * Places orders at `rate` per second for `warmupS + holdS` seconds, then waits up to `drainS` for the last to end.
 * Only the orders placed during the hold count. Returns latency figures, the share of orders ended, and what the
 * observer sampled every second meanwhile (`observe()`, e.g. outbox backlog and resources).
 */
export async function runStep({ orderUrl, customers, ends, rate, warmupS, holdS, drainS, observe }) {
  const placed = []; // { orderId?, sentAt, counted, failed? }
  const started = performance.now();
  const total = Math.round(rate * (warmupS + holdS));
  const warmupCount = Math.round(rate * warmupS);
  const samples = [];
  const sampler = setInterval(async () => samples.push(await observe()), 1_000);
  try {
    let next = 0;
    while (next < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
      for (; next < due; next++) {
        placed.push(place(orderUrl, customers[next % customers.length], next >= warmupCount));
      }
      await sleep(Math.max(1, 1000 / rate / 2));
    }
    const results = await Promise.all(placed);
    const counted = results.filter((order) => order.counted);
    const deadline = performance.now() + drainS * 1000;
    while (performance.now() < deadline && counted.some((order) => order.orderId && !ends.endOf(order.orderId))) {
      await sleep(100);
    }
    const latencies = [];
    const outcomes = {};
    for (const order of counted) {
      const end = order.orderId && ends.endOf(order.orderId);
      if (!end) continue;
      latencies.push(end.at - order.sentAt);
      const outcome = end.status === 'COMPLETED' ? 'COMPLETED' : `CANCELLED ${end.reason}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    const placedAt = counted.map((order) => order.sentAt);
    const heldS = (Math.max(...placedAt) - Math.min(...placedAt)) / 1000 || holdS;
    return {
      rate,
      offered: counted.length,
      achievedRate: counted.length / heldS,
      refused: counted.filter((order) => order.failed).length,
      ended: latencies.length,
      endedShare: counted.length === 0 ? 0 : latencies.length / counted.length,
      outcomes,
      latency: summary(latencies),
      samples,
    };
  } finally {
    clearInterval(sampler);
  }
}

/** Customers who place the orders, each with its token: fetched before the load, so no order waits for one. */
const CUSTOMERS = 200;

async function place(orderUrl, customer, counted) {
  const sentAt = performance.now();
  try {
    const response = await fetch(`${orderUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: customer },
      body: JSON.stringify({
        items: [{ sku: BENCH_SKU, quantity: 1 }],
        shippingAddress: { name: 'Bench', line1: '1 Load Street', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
      }),
    });
    if (!response.ok) return { sentAt, counted, failed: `${response.status} ${await response.text()}` };
    const { orderId } = await response.json();
    return { orderId, sentAt, counted };
  } catch (error) {
    return { sentAt, counted, failed: error.message };
  }
}

/** Until the order service charges the bench product's price: it hears of it through the `products` topic. */
async function untilPriced(orderUrl, authorization) {
  for (const deadline = Date.now() + 60_000; ;) {
    const response = await fetch(`${orderUrl}/products/${BENCH_SKU}`, { headers: { authorization } });
    if (response.ok) return;
    if (Date.now() > deadline) throw new Error(`the order service does not know ${BENCH_SKU} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The product every order names, its price and stock for every order the benchmark will place, and the customers who place them (tokens of the demo issuer,
 * each an Authorization header). The default credit of a customer pays for a thousand bench orders, far more than
 * a ladder gives each of them.
 */
export async function prepare({ order: orderUrl, inventory: inventoryUrl }) {
  const customers = await Promise.all(
    Array.from({ length: CUSTOMERS }, async () => `Bearer ${await demoToken(orderUrl, randomUUID())}`),
  );
  const put = async (path, body) => {
    const response = await fetch(`${inventoryUrl}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: await adminAuthorization(inventoryUrl) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
  };
  await put(`/products/${BENCH_SKU}`, { name: 'Bench item', priceCents: 100 });
  await put(`/stock/${BENCH_SKU}`, { available: 1_000_000_000 });
  await untilPriced(orderUrl, customers[0]);
  return customers;
}
