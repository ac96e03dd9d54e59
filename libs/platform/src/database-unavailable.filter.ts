/**
 * While the database is down (restarting, failing over, unreachable), a request cannot be served, but nothing is
 * wrong with it either: the honest answer is 503 with Retry-After, which tells a client to try again, rather than
 * a 500, which says the server is broken. With an Idempotency-Key, retrying `POST /orders` is always safe.
 */
import { Catch, HttpStatus, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/** Postgres error classes 08 (connection exception) and 57P (operator intervention: shutdown, starting up). */
const unavailableCodes = /^(08\w{3}|57P0[1-3]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/;
const unavailableMessages =
  /connection terminated|timeout exceeded when trying to connect|connection is not established/i;

/** True when `error`, or the driver error or cause it wraps, says the database could not be reached. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  if (typeof code === 'string' && unavailableCodes.test(code)) return true;
  if (unavailableMessages.test(error.message)) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(error.cause, depth + 1);
}

@Catch()
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isDatabaseUnavailable(error)) return super.catch(error, host);
    const adapter = this.applicationRef!;
    const response = host.switchToHttp().getResponse<unknown>();
    adapter.setHeader(response, 'Retry-After', '1');
    adapter.reply(
      response,
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: 'the database is unavailable; retry shortly',
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
