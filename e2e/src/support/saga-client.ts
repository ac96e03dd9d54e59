/** The calls a scenario makes, named as a user would name them. */
import { anOrder, eventually } from '@saga/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { request, tokenFor } from './http.js';
import { SERVICE_NAMES, type SagaServices, type ServiceName } from './saga-services.js';

export type Order = {
  orderId: string;
  status: string;
  reason?: string;
  customerId: string;
  totalCents: number;
  version: number;
  history: { type: string; at: string }[];
};
export type Credit = { customerId: string; limitCents: number; availableCents: number };
export type Stock = { sku: string; available: number; reserved: number; sold: number };
/** `notYet`: how often an event found the service's view behind the order version it needs (not on order). */
export type OrderViewSummary = { count: number; checksum: string; state?: string; notYet?: number };

export const TERMINAL = ['COMPLETED', 'CANCELLED'];

export class SagaClient {
  constructor(private readonly saga: SagaServices) {}

  /** A product no other scenario uses, sold at `priceCents`, with `available` in stock. */
  async stockedSku(available: number, priceCents = 1500): Promise<string> {
    const sku = `SKU-${randomBytes(4).toString('hex')}`;
    await this.setPrice(sku, priceCents);
    await this.expectOk(request('PUT', `${this.saga.url('inventory')}/stock/${sku}`, { available }));
    return sku;
  }

  /**
   * Sets the price inventory sells `sku` at, and waits until the order service charges it (it hears of it through
   * `products`, a moment later).
   */
  async setPrice(sku: string, priceCents: number): Promise<void> {
    const product = { name: `Product ${sku}`, priceCents };
    await this.expectOk(request('PUT', `${this.saga.url('inventory')}/products/${sku}`, product));
    await eventually(
      () => request<{ priceCents?: number }>('GET', `${this.saga.url('order')}/products/${sku}`),
      (known) => known.body.priceCents === priceCents,
      { what: `the order service's price of ${sku}` },
    );
  }

  /** A new customer with this credit limit. */
  async customerWithLimit(limitCents: number): Promise<string> {
    const customerId = randomUUID();
    await this.expectOk(request('PUT', `${this.saga.url('payment')}/customers/${customerId}/credit`, { limitCents }));
    return customerId;
  }

  async placeOrder(
    customerId: string,
    items: { sku: string; quantity: number }[],
    country = 'GB',
    idempotencyKey?: string,
  ) {
    // As the customer: the order is its own, and the body names no customer.
    const headers: Record<string, string> = { authorization: await tokenFor({ customer: customerId }) };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const body = { items, shippingAddress: anOrder({ country }).shippingAddress };
    const response = await request<{ orderId: string; status: string }>(
      'POST',
      `${this.saga.url('order')}/orders`,
      body,
      headers,
    );
    if (response.status !== 201)
      throw new Error(`placing the order answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.orderId;
  }

  /**
   * Six orders at once, of every outcome: three complete, one is declined, one finds no stock, one cannot be
   * shipped. Returns each order's id with the end its saga must reach.
   */
  async placeEveryOutcome(): Promise<{ orderId: string; ends: { status: string; reason?: string } }[]> {
    const [sku, scarce, rich, poor] = await Promise.all([
      this.stockedSku(100),
      this.stockedSku(0),
      this.customerWithLimit(1_000_000),
      this.customerWithLimit(10),
    ]);
    const line = (which: string) => [{ sku: which, quantity: 1 }];
    const completed = { status: 'COMPLETED' };
    const cancelled = (reason: string) => ({ status: 'CANCELLED', reason });
    const scenarios = [
      { place: () => this.placeOrder(rich, line(sku)), ends: completed },
      { place: () => this.placeOrder(rich, line(sku)), ends: completed },
      { place: () => this.placeOrder(rich, line(sku)), ends: completed },
      { place: () => this.placeOrder(poor, line(sku)), ends: cancelled('PAYMENT_DECLINED') },
      { place: () => this.placeOrder(rich, line(scarce)), ends: cancelled('OUT_OF_STOCK') },
      { place: () => this.placeOrder(rich, line(sku), 'AQ'), ends: cancelled('SHIPPING_UNAVAILABLE') },
    ];
    return Promise.all(scenarios.map(async ({ place, ends }) => ({ orderId: await place(), ends })));
  }

  cancel(orderId: string) {
    return request('POST', `${this.saga.url('order')}/orders/${orderId}/cancel`);
  }

  /** The newest orders, up to 100. */
  async orders(): Promise<Order[]> {
    return (await request<{ orders: Order[] }>('GET', `${this.saga.url('order')}/orders?limit=100`)).body.orders;
  }

  /** Every order, page by page. */
  async allOrders(): Promise<Order[]> {
    const orders: Order[] = [];
    for (let offset = 0; ; offset += 100) {
      const url = `${this.saga.url('order')}/orders?limit=100&offset=${offset}`;
      const { body } = await request<{ orders: Order[] }>('GET', url);
      orders.push(...body.orders);
      if (body.orders.length < 100) return orders;
    }
  }

  async order(orderId: string): Promise<Order> {
    return (await request<Order>('GET', `${this.saga.url('order')}/orders/${orderId}`)).body;
  }

  /** Waits until the order reaches one of `statuses`. */
  untilStatus(orderId: string, ...statuses: string[]): Promise<Order> {
    return eventually(
      () => this.order(orderId),
      (order) => statuses.includes(order.status),
      {
        timeoutMs: 30_000,
        what: `order ${orderId} in ${statuses.join(' or ')}`,
      },
    );
  }

  /** Waits until the order's history holds `count` events of `type` (compensations arrive after the status). */
  untilHistory(orderId: string, type: string, count = 1): Promise<Order> {
    return eventually(
      () => this.order(orderId),
      (order) => order.history.filter((step) => step.type === type).length >= count,
      { timeoutMs: 30_000, what: `${type} in the history of order ${orderId}` },
    );
  }

  /** Erases an ended order: 204, or 409 while its saga runs. */
  erase(orderId: string) {
    return request('DELETE', `${this.saga.url('order')}/orders/${orderId}`);
  }

  /** A service's summary of the orders it knows; on the order service, of the orders it owns. */
  async orderView(service: ServiceName): Promise<OrderViewSummary> {
    return (await request<OrderViewSummary>('GET', `${this.saga.url(service)}/admin/order-view`)).body;
  }

  /**
   * Waits until every service's view holds exactly what the order service holds, twice in a row (compensations
   * still change orders after they end), and returns that summary.
   */
  async untilViewsAgree(timeoutMs = 30_000): Promise<OrderViewSummary> {
    let previous = '';
    const [summary] = await eventually(
      () => Promise.all(SERVICE_NAMES.map((name) => this.orderView(name))),
      (all) => {
        const agreed = all.every((view) => view.checksum === all[0]!.checksum && view.count === all[0]!.count);
        const stable = agreed && all[0]!.checksum === previous;
        previous = agreed ? all[0]!.checksum : '';
        return stable;
      },
      { timeoutMs, intervalMs: 500, what: 'every order view equal to the order service' },
    );
    return { count: summary!.count, checksum: summary!.checksum };
  }

  async credit(customerId: string): Promise<Credit> {
    return (await request<Credit>('GET', `${this.saga.url('payment')}/customers/${customerId}/credit`)).body;
  }

  async stock(sku: string): Promise<Stock> {
    return (await request<Stock>('GET', `${this.saga.url('inventory')}/stock/${sku}`)).body;
  }

  /** The shipment's status, or null when shipping never heard of the order. */
  async shipmentStatus(orderId: string): Promise<string | null> {
    const response = await request<{ status: string }>('GET', `${this.saga.url('shipping')}/shipments/${orderId}`);
    return response.status === 404 ? null : response.body.status;
  }

  private async expectOk(call: Promise<{ status: number; body: unknown }>): Promise<void> {
    const { status, body } = await call;
    if (status !== 200) throw new Error(`answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** How many times each event type appears in an order's history. */
export const countSteps = (order: Order): Record<string, number> =>
  order.history.reduce<Record<string, number>>(
    (counts, step) => ({ ...counts, [step.type]: (counts[step.type] ?? 0) + 1 }),
    {},
  );
