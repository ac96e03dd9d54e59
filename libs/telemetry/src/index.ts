// The API side only: cheap to import, and a no-op until a service starts tracing (`@saga/telemetry/sdk`).
export {
  contextOf,
  failed,
  inSpanFrom,
  ORDER_ID_ATTRIBUTE,
  SpanKind,
  startSpanFrom,
  tagOrder,
  traceHeaders,
  type Attributes,
  type Headers,
} from './trace-context.js';
export { currentLogFields, withLogFields, type LogFields } from './log-context.js';
export { isPolledPath } from './polled-paths.js';
