/**
 * The service's own measurements, in the Prometheus text format (`GET /metrics`). One registry per process: the
 * relay and the consumer loop record into it, and the process's CPU and memory are in it too.
 *
 * `saga_hop_seconds` splits the way of one event through a service into the hops that can hold it up, so that a
 * benchmark (and a dashboard) can say where the time of a saga goes:
 *
 *   relay_wait     the event's outbox row committed -> the relay takes it
 *   publish        the relay's send of a batch, until the broker committed it and readers can see it
 *   delivery       the record stamped by the producer -> the consumer starts handling it (the broker's side of
 *                  the send, the fetch, and the wait behind earlier records of the partition)
 *   handler        the inbox transaction: inbox row, the handler's reads and writes, its outbox rows, the commit
 *   offset_commit  the consumer's offset commit after the transaction
 */
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const hops = ['relay_wait', 'publish', 'delivery', 'handler', 'offset_commit'] as const;
export type Hop = (typeof hops)[number];

const hopSeconds = new Histogram({
  name: 'saga_hop_seconds',
  help: 'Time an event spends in each hop through a service (see @saga/runtime metrics.ts)',
  labelNames: ['hop'],
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30],
  registers: [metricsRegistry],
});

/** Records that one event (or batch, for `publish`) spent `ms` in `hop`. */
export function recordHop(hop: Hop, ms: number): void {
  hopSeconds.observe({ hop }, Math.max(0, ms) / 1000);
}

/** Runs `work` and records its duration as `hop`, whether it succeeds or not. */
export async function timeHop<T>(hop: Hop, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    recordHop(hop, performance.now() - started);
  }
}
