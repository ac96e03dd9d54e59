/**
 * Thrown for a condition that time will fix. `retrySooner` resolves when retrying is worth it earlier than the
 * backoff would (say, when the awaited change has arrived); the consumer retries at whichever comes first.
 */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retrySooner?: Promise<unknown>,
  ) {
    super(message);
  }
}
