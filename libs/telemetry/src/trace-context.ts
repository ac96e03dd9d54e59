/**
 * One trace per order, across services and through Kafka. A trace is carried by its W3C trace context
 * (`traceparent`), and the outbox decides where it travels:
 *
 *   HTTP request / handler span --enqueue--> outbox row headers --relay--> Kafka record headers --> next handler span
 *
 * The context is stored in the outbox row in the transaction that writes the event, so the relay's own loop (which
 * runs outside any request) does not break the chain, and an event sent twice, or redelivered after a crash,
 * continues the same trace. The relay's publish span and the consumer's handler span are children of it.
 *
 * Only the OpenTelemetry API is used here: with no SDK started (tracing off, the default) every call is a no-op and
 * no header is written.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';

export { SpanKind, type Attributes };

const tracer = () => trace.getTracer('@saga/telemetry');

/**
 * The attribute that names the order a span works on: the handlers' spans carry it, and so does the request that
 * places or cancels an order. A trace viewer's search by it finds an order's traces (the live page links to it).
 */
export const ORDER_ID_ATTRIBUTE = 'saga.order_id';

/** Marks the active span (a request's, a handler's) as working on `orderId`. */
export function tagOrder(orderId: string): void {
  trace.getActiveSpan()?.setAttribute(ORDER_ID_ATTRIBUTE, orderId);
}

/** Kafka headers as kafkajs delivers them, or as an outbox row stores them. */
export type Headers = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : value.toString();
  },
};

/** The trace context of `from` (the active one by default) as headers; empty when there is none. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(from, headers);
  return headers;
}

/** The trace context that `headers` carry (none: a new trace starts). */
export function contextOf(headers: Headers): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/**
 * Runs `work` in a new span, a child of the context in `headers`, active for everything `work` does (its database
 * queries, the outbox rows it writes). The span ends with `work`, failed if `work` throws.
 */
export function inSpanFrom<T>(
  headers: Headers,
  name: string,
  options: { kind: SpanKind; attributes: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, options, contextOf(headers), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Starts a span that is a child of the context in `headers`, for work that is not a function call (a batch
 * sent for many traces at once). Returns the span and the headers that carry it onward.
 */
export function startSpanFrom(
  headers: Headers,
  name: string,
  options: { kind: SpanKind; attributes: Attributes },
): { span: Span; headers: Record<string, string> } {
  const parent = contextOf(headers);
  const span = tracer().startSpan(name, options, parent);
  return { span, headers: traceHeaders(trace.setSpan(parent, span)) };
}

/** Marks `span` as failed with `error`. */
export function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
