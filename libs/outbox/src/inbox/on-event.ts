import { applyDecorators, Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { SagaEventType } from '@saga/events';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default filter replaces an unknown error from a handler by a generic one. The consumer loop needs the
 * original, to tell an event the handler rejects (dead-lettered) from a failure worth retrying.
 */
@Catch()
class PassErrorsToTransport implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a method as the handler of one event type. It runs inside the inbox transaction: take the transaction
 * from the `InboxContext` (`@Ctx()`) for every write, including `outbox.enqueue`.
 */
export const OnEvent = (type: SagaEventType) => applyDecorators(EventPattern(type) as MethodDecorator, UseFilters(PassErrorsToTransport));

/** Thrown by a handler for an event it can never process. The event is set aside and the consumer moves on. */
export class EventRejectedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EventRejectedError';
  }
}
