/**
 * Starts OpenTelemetry tracing in a service, when the standard `OTEL_*` variables ask for it: an exporter
 * (`OTEL_TRACES_EXPORTER`) or an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `..._TRACES_ENDPOINT`). Otherwise
 * nothing starts, and tracing costs nothing. The SDK reads every other setting (protocol, sampler, batch delay,
 * resource attributes) from the same standard variables.
 *
 * Call it before anything else is loaded (see each service's main.ts): the HTTP and Postgres instrumentations wrap
 * those modules as they load. Kafka has no instrumentation here on purpose: its spans are the outbox's (see
 * trace-context.ts), whose trace context travels with each outbox row rather than with the relay's own loop.
 */
import { Logger } from '@nestjs/common';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { CollapsingDiagLogger } from './diag-log.js';
import { isPolledPath } from './polled-paths.js';

type Sdk = ReturnType<typeof startNodeSdk>;
let sdk: Sdk | undefined;

/** Whether the environment asks for traces to be exported. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER) return env.OTEL_TRACES_EXPORTER !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Starts tracing as `serviceName` (unless OTEL_SERVICE_NAME names it otherwise); returns whether it started. */
export function startTracing(serviceName: string): boolean {
  if (sdk || !tracingRequested()) return false;
  // Traces only: this project's metrics are served on /metrics, its logs go to stdout.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  // OpenTelemetry's own messages from warnings up (OTEL_LOG_LEVEL for more): to the console while it starts, then
  // through the service's log, repeats collapsed.
  const levelName = process.env.OTEL_LOG_LEVEL?.toUpperCase() ?? 'WARN';
  sdk = startNodeSdk({
    logLevel: levelName,
    resourceAttributes: { 'service.name': process.env.OTEL_SERVICE_NAME ?? serviceName },
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => isPolledPath(request.url ?? '') }),
      // Queries inside a request or a handler only: the relay's polling would start a trace of its own every second.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  const logLevel = DiagLogLevel[levelName as keyof typeof DiagLogLevel] ?? DiagLogLevel.WARN;
  diag.setLogger(new CollapsingDiagLogger(), { logLevel, suppressOverrideMessage: true });
  return true;
}

/** Sends the spans still buffered and stops tracing; call it on shutdown. */
export async function stopTracing(): Promise<void> {
  const stopping = sdk;
  sdk = undefined;
  // The last spans cannot be sent when the collector is away; that must not fail the service's shutdown.
  await stopping
    ?.shutdown()
    .catch((error: Error) => new Logger('OpenTelemetry').warn(`last spans not sent: ${error.message}`));
}
