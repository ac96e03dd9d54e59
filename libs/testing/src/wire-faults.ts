/**
 * Faults between a kafkajs client and a real broker, planted in the client's sockets (kafkajs's `socketFactory`):
 * the broker is real and does what it always does; only what travels on the wire is held back or lost.
 *
 * - `loseProduceResponses(n)`: the next n produce requests reach the broker, which appends them, but their
 *   responses never reach the client. The client sees a request timeout for records that are in the log: the
 *   failure after which a producer must neither lose nor duplicate what it sends next.
 * - `holdProduceRequests(ms)`: produce requests leave the client ms later (a slow network, a paused process), so
 *   that they reach the broker after whatever another client sent meanwhile: a zombie's late write.
 *
 * Kafka frames every request and response with its size; a request names its API (0 is Produce) and a
 * correlation id, which its response repeats. That is all these faults read.
 */
import net from 'node:net';
import type { ISocketFactory } from 'kafkajs';

const PRODUCE = 0;

export class WireFaults {
  /** Produce requests whose responses are still to be lost. */
  private responsesToLose = 0;
  private holdMs = 0;
  /** Counts, for the test to show that the fault did happen. */
  readonly seen = { produceRequests: 0, responsesLost: 0, requestsHeld: 0, requestsReleased: 0 };

  loseProduceResponses(count: number): void {
    this.responsesToLose = count;
  }

  holdProduceRequests(ms: number): void {
    this.holdMs = ms;
  }

  heal(): void {
    this.responsesToLose = 0;
    this.holdMs = 0;
  }

  /** Give it to kafkajs: `new Kafka({ ..., socketFactory: faults.socketFactory })`. */
  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    this.intercept(socket);
    return socket;
  };

  private intercept(socket: net.Socket): void {
    const lose = new Set<number>(); // correlation ids whose responses this socket drops
    let held = Promise.resolve();

    const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
    socket.write = ((chunk: Buffer | string) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      let hold = false;
      for (const { apiKey, correlationId } of requestsIn(buffer)) {
        if (apiKey !== PRODUCE) continue;
        this.seen.produceRequests++;
        if (this.responsesToLose > 0) {
          this.responsesToLose--;
          lose.add(correlationId);
        }
        if (this.holdMs > 0) hold = true;
      }
      // Whatever follows a held request waits behind it: a connection keeps its order.
      if (hold) {
        this.seen.requestsHeld++;
        const ms = this.holdMs;
        held = held
          .then(() => new Promise((resolve) => setTimeout(resolve, ms)))
          .then(() => void this.seen.requestsReleased++);
      }
      held = held.then(() => {
        if (!socket.destroyed) write(buffer);
      });
      return true;
    }) as typeof socket.write;

    // Responses are handed over whole frames at a time, so that any one of them can be left out.
    let pending = Buffer.alloc(0);
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'data') return emit(event, ...args);
      pending = Buffer.concat([pending, args[0] as Buffer]);
      const kept: Buffer[] = [];
      while (pending.length >= 8) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(0, 4 + size);
        pending = pending.subarray(4 + size);
        if (lose.delete(frame.readInt32BE(4))) this.seen.responsesLost++;
        else kept.push(frame);
      }
      return kept.length === 0 ? true : emit('data', Buffer.concat(kept));
    }) as typeof socket.emit;
  }
}

/** The requests framed in one write: size, API key, API version, correlation id. */
function* requestsIn(buffer: Buffer): Generator<{ apiKey: number; correlationId: number }> {
  for (let at = 0; at + 12 <= buffer.length;) {
    const size = buffer.readInt32BE(at);
    yield { apiKey: buffer.readInt16BE(at + 4), correlationId: buffer.readInt32BE(at + 8) };
    at += 4 + size;
  }
}
