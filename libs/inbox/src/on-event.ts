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

const ON_EVENT = Symbol('OnEvent');

/**
 * Marks a method as the handler of one or more event types. It runs inside the inbox transaction: take the
 * transaction from the `InboxContext` (`@Ctx()`) for every write, including `outbox.enqueue`.
 * List all types in one `@OnEvent(...)`: Nest keeps only one pattern list per method.
 */
export function OnEvent(...types: [SagaEventType, ...SagaEventType[]]): MethodDecorator {
  const decorate = applyDecorators(EventPattern(types) as MethodDecorator, UseFilters(PassErrorsToTransport));
  return (target, key, descriptor) => {
    if (Reflect.hasMetadata(ON_EVENT, descriptor.value as object)) {
      throw new Error(`${String(key)} has two @OnEvent decorators; list every event type in one`);
    }
    Reflect.defineMetadata(ON_EVENT, types, descriptor.value as object);
    return decorate(target, key, descriptor);
  };
}

/** Every event type that the `@OnEvent` methods of `consumer` (a class) handle, in declaration order. */
export function eventsHandledBy(consumer: abstract new (...args: never[]) => unknown): SagaEventType[] {
  const prototype = consumer.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((name) => {
    const method = prototype[name];
    return typeof method === 'function' ? ((Reflect.getMetadata(ON_EVENT, method) as SagaEventType[]) ?? []) : [];
  });
}

/** Thrown by a handler for an event it can never process. The event is set aside and the consumer moves on. */
export class EventRejectedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EventRejectedError';
  }
}
