/**
 * What a log line is about, beyond its message: the order and the event being handled, and the trace they are in.
 * The consumer loop sets the order and the event for everything a handler does (its logs, the libraries' logs);
 * the logger reads them back, with the active trace, into every line.
 */
import { trace } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogFields = { orderId?: string; eventId?: string; traceId?: string; spanId?: string };

const about = new AsyncLocalStorage<Pick<LogFields, 'orderId' | 'eventId'>>();

/** Runs `work` with `fields` on every line logged meanwhile. */
export function withLogFields<T>(fields: Pick<LogFields, 'orderId' | 'eventId'>, work: () => T): T {
  return about.run({ ...about.getStore(), ...fields }, work);
}

/** The fields of the line being logged now: the order and event, and the active trace (when tracing is on). */
export function currentLogFields(): LogFields {
  const fields: LogFields = { ...about.getStore() };
  const span = trace.getActiveSpan()?.spanContext();
  if (span && trace.isSpanContextValid(span)) Object.assign(fields, { traceId: span.traceId, spanId: span.spanId });
  return fields;
}
