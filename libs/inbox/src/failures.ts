/**
 * Transient or not: the question every retry policy must answer.
 *
 * A transient failure clears up by itself: the database or the broker is unreachable, a deadlock or a serialization
 * conflict, an order that the view has not seen yet. The consumer retries it for as long as it lasts, and the
 * partition waits (so one order's events stay in order). Any other failure, a bug or data that breaks a constraint,
 * fails the same way every time: after a few attempts the event goes to the dead-letter topic with the error as its
 * reason, and the partition moves on instead of being blocked forever.
 */

import { TransientError } from '@saga/runtime';

/**
 * Postgres class 08 (connection exception), 57P01-05 (shutdown, crash, starting up, terminated for idling), and
 * socket errors.
 */
const unreachableCodes = /^(08\w{3}|57P0[1-5]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/;
const unreachableMessages =
  /connection terminated|timeout exceeded when trying to connect|connection is not established/i;
/** Serialization failure, deadlock, lock not available: the same transaction succeeds when tried again. */
const conflictCodes = /^(40001|40P01|55P03)$/;
/**
 * The server is there but cannot serve now: class 53 (too many connections, out of memory, disk full), read-only
 * (a standby, or a primary just demoted in a failover), a statement cancelled by its timeout or an operator.
 */
const busyCodes = /^(53\w{3}|25006|57014)$/;

/** True when `error`, or the driver error or cause it wraps, says the database could not be reached. */
export const isDatabaseUnavailable = (error: unknown): boolean =>
  somewhereIn(error, (e) => unreachableCodes.test(codeOf(e)) || unreachableMessages.test(e.message));

/** True when trying the same work again later can succeed. */
export const isTransientFailure = (error: unknown): boolean =>
  somewhereIn(
    error,
    (e) =>
      e instanceof TransientError ||
      e.name.startsWith('KafkaJS') ||
      conflictCodes.test(codeOf(e)) ||
      busyCodes.test(codeOf(e)),
  ) || isDatabaseUnavailable(error);

const codeOf = (error: Error): string => {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : '';
};

/** Tests `error` and what it wraps: TypeORM's driverError, and the standard `cause`. */
function somewhereIn(error: unknown, test: (error: Error) => boolean, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  if (test(error)) return true;
  const { driverError } = error as { driverError?: unknown };
  return somewhereIn(driverError, test, depth + 1) || somewhereIn(error.cause, test, depth + 1);
}
