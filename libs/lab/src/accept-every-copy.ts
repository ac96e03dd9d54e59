/**
 * What the inbox prevents, kept for teaching (SAGA_INBOX=off): an inbox that remembers nothing, so a redelivered
 * event is applied again. A consumer that dies after its commit and before its offset commit gets the event again
 * and applies it again: the order service records the step twice. Never use this outside a lesson.
 */
import type { AnyEvent } from '@saga/events';
import type { EntityManager } from 'typeorm';
import { Inbox } from '@saga/inbox';

export class AcceptEveryCopy extends Inbox {
  override async accept(_transaction: EntityManager, _consumer: string, _event: AnyEvent): Promise<boolean> {
    return true;
  }
}
