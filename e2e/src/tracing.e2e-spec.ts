/**
 * One trace per order, across the four services and through Kafka, compensations included: the services export
 * their spans (OTLP over HTTP) to a collector in this test, which then follows each order's trace from the
 * `POST /orders` request to the last handler, link by link.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@saga/testing';
import { randomUUID } from 'node:crypto';
import { SagaClient } from './support/saga-client.js';
import { SagaServices, SERVICE_NAMES } from './support/saga-services.js';
import { TraceCollector, type CollectedSpan } from './support/trace-collector.js';

let collector: TraceCollector;
let saga: SagaServices;
let client: SagaClient;

beforeAll(async () => {
  collector = await TraceCollector.start();
  // A killed consumer's partitions move to its restarted self once the group gives up on it: make that quick.
  const env = { ...collector.serviceEnv(), KAFKA_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' };
  saga = await SagaServices.start(Object.fromEntries(SERVICE_NAMES.map((name) => [name, env])));
  client = new SagaClient(saga);
});

afterAll(async () => {
  await saga?.stop();
  await collector?.stop();
});

const SERVER = 2;

/** The handlers' spans of one order, whatever trace they are in. */
const handlerSpansOf = (orderId: string) =>
  collector.spans.filter((span) => span.attributes['saga.order_id'] === orderId);

/** Waits until the order's handlers include every one of `handled` ("payment handles OrderPlaced", ...). */
async function untilHandled(orderId: string, handled: string[]): Promise<CollectedSpan[]> {
  return eventually(
    async () => handlerSpansOf(orderId),
    (spans) => handled.every((name) => spans.some((span) => span.name === name)),
    { timeoutMs: 30_000, what: `the spans of ${handled.join(', ')} for ${orderId}` },
  );
}

/** The one trace that every handler span of the order is in. */
function traceOf(orderId: string): CollectedSpan[] {
  const traceIds = new Set(handlerSpansOf(orderId).map((span) => span.traceId));
  expect([...traceIds]).toHaveLength(1);
  return collector.trace([...traceIds][0]!);
}

describe('tracing', () => {
  it('follows an order as one trace from its POST through every service, compensations included', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(100_000)]);
    // Nobody ships to Antarctica: payment and stock are taken, then given back.
    const orderId = await client.placeOrder(customer, [{ sku, quantity: 1 }], 'AQ');
    expect((await client.untilStatus(orderId, 'CANCELLED')).reason).toBe('SHIPPING_UNAVAILABLE');
    await untilHandled(orderId, [
      'payment handles OrderPlaced',
      'inventory handles PaymentAuthorized',
      'shipping handles StockReserved',
      'order handles ShipmentFailed',
      'payment handles OrderCancelled',
      'inventory handles OrderCancelled',
      'order handles PaymentRefunded',
      'order handles StockReleased',
    ]);
    // Spans still on their way from the exporters' buffers would look like broken links below.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const trace = traceOf(orderId);
    const roots = trace.filter((span) => span.parentSpanId === undefined);
    expect(roots.map(({ service, kind }) => ({ service, kind }))).toEqual([{ service: 'order', kind: SERVER }]);
    // The request carries the order's id too: a search by it (the live page's link) finds the trace at its root.
    expect(roots[0]!.attributes['saga.order_id']).toBe(orderId);
    const ids = new Set(trace.map((span) => span.spanId));
    expect(trace.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId))).toEqual([]);
    expect(new Set(trace.map((span) => span.service))).toEqual(new Set(SERVICE_NAMES));

    // Each handler's span is the child of the publish span of the record it handled, itself the child of the
    // span that wrote the record: the chain goes through the outbox and the broker.
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const refund = trace.find((span) => span.name === 'payment handles OrderCancelled')!;
    expect(refund.attributes['saga.compensation']).toBe(true);
    const published = byId.get(refund.parentSpanId!)!;
    expect(published).toMatchObject({ service: 'order', name: expect.stringMatching(/^publish .*order-events$/) });
    expect(byId.get(published.parentSpanId!)).toMatchObject({ service: 'order', name: 'order handles ShipmentFailed' });
    // The handler's database work is in its span.
    expect(trace.some((span) => span.parentSpanId === refund.spanId && span.attributes['db.system.name'])).toBe(true);

    // Its log lines name the order, the event and the trace.
    const lines = saga
      .logOf('payment')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.every((line) => line.service === 'payment' && line.level && line.message)).toBe(true);
    expect(lines).toContainEqual(
      expect.objectContaining({
        context: 'KafkaInboxServer',
        message: expect.stringMatching(/type=OrderCancelled .* applied at /),
        orderId,
        eventId: refund.attributes['saga.event_id'],
        traceId: refund.traceId,
        spanId: refund.spanId,
      }),
    );
  });

  it("a customer's cancellation is a trace of its own, found by the order's id, with the compensations in it", async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(100_000)]);
    await saga.stopService('shipping'); // the order waits for its shipment, so it is still running when cancelled
    try {
      const orderId = await client.placeOrder(customer, [{ sku, quantity: 1 }]);
      await client.untilHistory(orderId, 'StockReserved');
      expect((await client.cancel(orderId)).status).toBe(200);
      await untilHandled(orderId, ['payment handles OrderCancelled', 'inventory handles OrderCancelled']);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // the last spans, on their way

      // Two traces, each rooted at a request to the order service that names the order: the placement's and the
      // cancellation's, which holds the compensations it caused.
      const traceIds = [...new Set(handlerSpansOf(orderId).map((span) => span.traceId))];
      const roots = traceIds.map((traceId) => collector.trace(traceId).filter((span) => !span.parentSpanId));
      expect(
        roots.map((root) => root.map(({ service, kind, attributes }) => [service, kind, attributes['saga.order_id']])),
      ).toEqual([[['order', SERVER, orderId]], [['order', SERVER, orderId]]]);
      const traceOfSpan = (name: string) => handlerSpansOf(orderId).find((span) => span.name === name)?.traceId;
      expect(traceOfSpan('payment handles OrderCancelled')).not.toBe(traceOfSpan('payment handles OrderPlaced'));
      expect(traceOfSpan('inventory handles OrderCancelled')).toBe(traceOfSpan('payment handles OrderCancelled'));
    } finally {
      await saga.startService('shipping');
    }
  });

  it('an event redelivered after a crash continues the trace of its first delivery', async () => {
    const [sku, customer] = await Promise.all([client.stockedSku(5), client.customerWithLimit(100_000)]);
    await saga.stopService('payment');
    await saga.startService('payment', { FAULT_CRASH_AT: 'consumer.after-commit' });
    const key = randomUUID();
    const place = () => client.placeOrder(customer, [{ sku, quantity: 1 }], 'GB', key);
    const orderId = await place();
    expect(await saga.untilExited('payment')).toBe('SIGKILL');
    await saga.startService('payment');
    expect((await client.untilStatus(orderId, 'COMPLETED')).status).toBe('COMPLETED');
    await untilHandled(orderId, ['payment handles OrderPlaced', 'order handles ShipmentScheduled']);

    // The first delivery was applied, then the process died before the offset was committed (its span died with
    // it); the copy delivered to the restarted service finds the event in the inbox, in the same trace.
    const redelivered = handlerSpansOf(orderId).filter((span) => span.name === 'payment handles OrderPlaced');
    expect(redelivered.map((span) => span.attributes['saga.outcome'])).toEqual(['duplicate']);
    const trace = traceOf(orderId);
    expect(trace).toContainEqual(expect.objectContaining({ spanId: redelivered[0]!.spanId }));
    expect(trace.filter((span) => span.parentSpanId === undefined)).toMatchObject([{ service: 'order' }]);
  });
});
