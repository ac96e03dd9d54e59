/**
 * Kafka keeps order within a partition only. One key's records on two topics (an order's snapshot on `orders`,
 * then the event decided with it on `order-events`) land in two partitions, and the broker appends the partitions
 * of one request each on its own: a consumer can read the event before the snapshot exists. So the relay sends a
 * batch in waves: a record goes in a later wave than every earlier record of its key on another topic, and a wave
 * is sent only once the one before is visible: committed, and below every partition's last stable offset (a
 * transaction's commit is answered before its markers are written; see lane-producers.ts). Whoever reads a record
 * can count on every earlier record of its key, on any topic, being readable already.
 */

/** The records of a batch, in outbox order, split into the waves in which they are sent. */
export function inWaves<R extends { readonly key: string; readonly topic: string }>(records: readonly R[]): R[][] {
  const waves: R[][] = [];
  const last = new Map<string, { topic: string; wave: number }>(); // per key: its latest record so far
  for (const record of records) {
    const previous = last.get(record.key);
    // Same topic as the key's previous record: the same partition keeps them in order, the same wave will do.
    const wave = previous === undefined ? 0 : previous.topic === record.topic ? previous.wave : previous.wave + 1;
    (waves[wave] ??= []).push(record);
    last.set(record.key, { topic: record.topic, wave });
  }
  return waves;
}
