/**
 * One way to try again, for every loop that must outlast a failure (the consumer's events, the relay, the LISTEN
 * connection, the order view's projector, the topic provisioner), and one way to connect lazily. Each call names
 * its policy: how long to wait between attempts, and when to give up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from './transient-error.js';

export type RetryPolicy = {
  /** The first wait. Each next one doubles, up to `maxMs`, with jitter (between half and all of it). */
  readonly initialMs: number;
  readonly maxMs: number;
  /** After this many failed attempts the last error is thrown. Unset: never give up. */
  readonly attempts?: number;
};

export type RetryOptions = {
  /** What is tried, for the log line of each failure. */
  readonly what: string;
  readonly logger: { warn(message: string): void };
  /** An error that another attempt cannot fix: thrown at once. */
  readonly isFinal?: (error: unknown) => boolean;
  /** Aborts the wait between attempts, and the retrying: the last error is thrown (a service that stops, say). */
  readonly signal?: AbortSignal;
  /** Runs after each wait, before the next attempt (a consumer's heartbeat, so that its group keeps it). */
  readonly beforeRetry?: () => Promise<void>;
};

/**
 * Runs `work` until it succeeds. Between attempts it waits as `policy` says, or less when the error is a
 * `TransientError` whose `retrySooner` resolves first.
 */
export async function retry<T>(
  policy: RetryPolicy,
  options: RetryOptions,
  work: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const exhausted = policy.attempts !== undefined && attempt >= policy.attempts;
      if (exhausted || options.isFinal?.(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, policy);
      options.logger.warn(`${options.what} failed (attempt ${attempt}), retrying in ${delay} ms: ${messageOf(error)}`);
      const sooner = error instanceof TransientError ? error.retrySooner : undefined;
      const waited = new AbortController(); // ends the timer when `sooner` comes first
      const signal = options.signal ? AbortSignal.any([options.signal, waited.signal]) : waited.signal;
      const wait = sleep(delay, undefined, { signal }).catch(() => undefined);
      await Promise.race(sooner ? [wait, sooner] : [wait]);
      waited.abort();
      if (options.signal?.aborted) throw error;
      await options.beforeRetry?.();
    }
  }
}

/** Exponential, with jitter, so that many clients retrying at once do not retry in step. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: RetryPolicy): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * A connection opened on first use and kept. A failed open is forgotten, so the next use tries again; `close`
 * closes what was opened, if anything, and forgets it.
 */
export class LazyConnection<T> {
  private opening?: Promise<T>;

  constructor(private readonly open: () => Promise<T>) {}

  /** For a client that connects itself (a kafkajs producer, consumer or admin): the client, once connected. */
  static of<C extends { connect(): Promise<void> }>(client: C): LazyConnection<C> {
    return new LazyConnection(async () => {
      await client.connect();
      return client;
    });
  }

  get(): Promise<T> {
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  async close(close: (connection: T) => Promise<void>): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const connection = await opening?.catch(() => undefined);
    if (connection !== undefined) await close(connection).catch(() => undefined);
  }
}
