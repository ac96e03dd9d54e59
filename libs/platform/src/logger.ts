/**
 * One log per service, in one of two formats (LOG_FORMAT):
 *
 * - `json`: a JSON object per line, for a log pipeline to index: level, time, service, the class that logged
 *   (`context`), the message, and where there is one, the order, the event and the trace it is about, so that
 *   the lines of one order can be found across the four services, and opened as a trace.
 * - `pretty`: Nest's coloured lines for a terminal, with the same order, event and trace ids at the end.
 *
 * Every request gets a line too: method, path, status and duration.
 */
import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { currentLogFields, isPolledPath, type LogFields } from '@saga/telemetry';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type LogFormat = 'json' | 'pretty';

export class SagaLogger extends ConsoleLogger {
  constructor(
    private readonly service: string,
    format: LogFormat,
    logLevels: LogLevel[],
  ) {
    super({ json: format === 'json', logLevels, colors: format === 'pretty' && process.stdout.isTTY });
  }

  protected override getJsonLogObject(message: unknown, options: Parameters<ConsoleLogger['getJsonLogObject']>[1]) {
    return { ...super.getJsonLogObject(message, options), service: this.service, ...currentLogFields() };
  }

  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    const text = super.stringifyMessage(message, logLevel);
    const about = describe(currentLogFields());
    return about ? `${text} ${about}` : text;
  }
}

const describe = ({ orderId, eventId, traceId }: LogFields) =>
  [orderId && `order=${orderId}`, eventId && `event=${eventId}`, traceId && `trace=${traceId}`]
    .filter(Boolean)
    .join(' ');

/** Logs every request once answered: method, path, status, duration. */
export function requestLog(): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  const logger = new Logger('HTTP');
  return (request, response, next) => {
    const started = performance.now();
    const url = request.url ?? '';
    response.on('finish', () => {
      const ms = Math.round(performance.now() - started);
      const line = `${request.method} ${url} ${response.statusCode} ${ms} ms`;
      if (isPolledPath(url)) logger.verbose(line);
      else if (response.statusCode >= 500) logger.error(line);
      else logger.log(line);
    });
    next();
  };
}
