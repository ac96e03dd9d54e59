/**
 * While the database is down (restarting, failing over, unreachable), a request cannot be served, but nothing is
 * wrong with it either: the honest answer is 503 with Retry-After, which tells a client to try again, rather than
 * a 500, which says the server is broken. With an Idempotency-Key, retrying `POST /orders` is always safe.
 */
import { Catch, HttpStatus, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isDatabaseUnavailable } from '@saga/inbox';

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
