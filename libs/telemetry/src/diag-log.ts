/**
 * Where OpenTelemetry's own complaints go. Its default writes every failed export to the console, every few
 * seconds, for as long as the collector is away (a stopped trace viewer, a collector still starting): a tracing
 * backend that is down must not drown the service's own log, nor take the service down with it.
 *
 * This logger writes through the service's logger (JSON lines like the rest) and says a message again at most once a
 * minute, with how many times it came meanwhile. Spans that could not be sent are dropped: traces are best effort,
 * the saga's state is in Postgres and Kafka.
 */
import { Logger } from '@nestjs/common';
import type { DiagLogger } from '@opentelemetry/api';

const REPEAT_AFTER_MS = 60_000;

export class CollapsingDiagLogger implements DiagLogger {
  private readonly logger = new Logger('OpenTelemetry');
  private readonly seen = new Map<string, { at: number; since: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  error = (message: string, ...args: unknown[]): void => this.write('error', message, args);
  warn = (message: string, ...args: unknown[]): void => this.write('warn', message, args);
  info = (message: string, ...args: unknown[]): void => this.write('log', message, args);
  debug = (message: string, ...args: unknown[]): void => this.write('debug', message, args);
  verbose = (message: string, ...args: unknown[]): void => this.write('verbose', message, args);

  private write(level: 'error' | 'warn' | 'log' | 'debug' | 'verbose', message: string, args: unknown[]): void {
    const text = [message, ...args.map(describe)].join(' ');
    const now = this.now();
    const last = this.seen.get(text);
    if (last && now - last.at < REPEAT_AFTER_MS) {
      last.since++;
      return;
    }
    this.seen.set(text, { at: now, since: 0 });
    const repeated = last?.since ? ` (${last.since} more times in the last minute)` : '';
    this.logger[level](text + repeated);
  }
}

/** An error as its message (OpenTelemetry passes errors, and errors serialized as JSON with their stack). */
function describe(arg: unknown): string {
  if (arg instanceof Error) return arg.message;
  if (typeof arg === 'string') {
    try {
      const parsed: unknown = JSON.parse(arg);
      if (parsed && typeof parsed === 'object' && 'message' in parsed) return String(parsed.message);
    } catch {
      // not JSON: the string as it is
    }
    return arg;
  }
  return JSON.stringify(arg) ?? String(arg);
}
