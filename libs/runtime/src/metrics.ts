/**
 * The service's own measurements, in the Prometheus text format (`GET /metrics`). One registry per process: the
 * relay, the consumer loop, the order view and the order service record into it, and the process's CPU and memory
 * are in it too. docs/observing-a-saga.md says which metric answers which question.
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
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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

const registers = [metricsRegistry];
const secondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Records sent by the relay, by topic: its publish rate (the latency is `saga_hop_seconds{hop="publish"}`). */
export const relayPublished = new Counter({
  name: 'saga_relay_published_records_total',
  help: 'Outbox records the relay has published to Kafka, by topic',
  labelNames: ['topic'],
  registers,
});

/** Each event's inbox transaction, by type and by what came of it. */
export const handlerSeconds = new Histogram({
  name: 'saga_handler_seconds',
  help: 'Time to handle one event (inbox row, decision, state, outbox rows, commit), by event type and outcome',
  labelNames: ['event_type', 'outcome'],
  buckets: secondsBuckets,
  registers,
});

/** A failed attempt at an event, tried again: the database or broker away, or a view not there yet. */
export const eventRetries = new Counter({
  name: 'saga_event_retries_total',
  help: 'Attempts at handling an event that failed and were tried again, by event type',
  labelNames: ['event_type'],
  registers,
});

/** An event that found the order view behind the order version it needs (it waits, then is tried again). */
export const notYetWaits = new Counter({
  name: 'saga_not_yet_waits_total',
  help: "Events that found the service's order view behind the order version they depend on",
  registers,
});

/** Records set aside to a dead-letter topic: `malformed` (unreadable), `rejected`, or `failed` (kept failing). */
export const deadLetters = new Counter({
  name: 'saga_dead_letters_total',
  help: 'Records sent to a dead-letter topic, by source topic and reason (malformed, rejected, failed)',
  labelNames: ['topic', 'reason'],
  registers,
});

/** How far the consumer is from the end of each partition, as of the last batch it read there. */
export const consumerLag = new Gauge({
  name: 'saga_consumer_lag_records',
  help: 'Records between the consumer and the end of the partition, as of its last batch',
  labelNames: ['group', 'topic', 'partition'],
  registers,
});

/** From the order placed to its end, by outcome (completed, cancelled) and the reason of a cancellation. */
export const sagaSeconds = new Histogram({
  name: 'saga_duration_seconds',
  help: 'Time from an order placed to its saga ended, by outcome and reason',
  labelNames: ['outcome', 'reason'],
  buckets: secondsBuckets,
  registers,
});

type Reading = { labels?: Record<string, string>; value: number };

/**
 * A gauge whose value is read when /metrics is scraped, from each source that registered a reading (the relay reads
 * its outbox table, the projector its progress). Returns a function that registers a source, and gives a function to
 * remove it.
 */
function readOnScrape(name: string, help: string, labelNames: string[] = []) {
  const sources = new Set<() => Promise<Reading[]> | Reading[]>();
  new Gauge({
    name,
    help,
    labelNames,
    registers,
    async collect() {
      this.reset();
      for (const read of sources) {
        const readings = await Promise.resolve()
          .then(read)
          .catch((): Reading[] => []); // a database away: the series is missing, not wrong
        for (const { labels = {}, value } of readings) this.set(labels, value);
      }
    },
  });
  return (read: () => Promise<Reading[]> | Reading[]) => {
    sources.add(read);
    return () => void sources.delete(read);
  };
}

export const outboxMetrics = {
  pending: readOnScrape('saga_outbox_pending_rows', 'Outbox rows not yet published'),
  oldestPendingSeconds: readOnScrape(
    'saga_outbox_oldest_pending_seconds',
    'Age of the oldest outbox row not yet published (0 when none)',
  ),
  setAside: readOnScrape('saga_outbox_set_aside_rows', 'Outbox rows set aside because they can never be sent'),
};

export const orderViewMetrics = {
  rebuilding: readOnScrape('saga_order_view_rebuilding', '1 while the order view is being rebuilt from the log'),
  rebuildOffsets: readOnScrape(
    'saga_order_view_rebuild_offsets',
    'Offsets of the orders topic that the rebuild has read, and that it has to read in all',
    ['kind'],
  ),
};
