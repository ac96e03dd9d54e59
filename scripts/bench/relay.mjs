// The relay's throughput: the project's own OutboxRelay (libs/outbox, built) draining a backlog of committed
// outbox rows into Kafka, on a database of its own. Two mixes:
//   - events only: every batch is one wave, one Kafka transaction;
//   - snapshot + event per order, as the order service writes them: every batch is two waves, the second sent once
//     the first is readable (libs/outbox/src/waves.ts).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { defaultRelayOptions, laneProducerConfig, Outbox, outboxMigrations, OutboxRelay } from '@saga/outbox';
import { noFaults } from '@saga/runtime';
import { DataSource } from 'typeorm';
import { scratchDatabase } from './stats.mjs';

Logger.overrideLogger(['error', 'warn']); // the relay's own start and stop lines are noise here
const PAYLOAD = { type: 'BenchEvent', note: 'x'.repeat(440) };

export async function measureRelay({ kafka, prefix, postgresUrl, rows }) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: ['relay-events', 'relay-snapshots'].map((topic) => ({ topic: prefix + topic, numPartitions: 6 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return {
    eventsOnly: await drainBacklog({ kafka, prefix, postgresUrl, rows, withSnapshots: false }),
    snapshotAndEvent: await drainBacklog({ kafka, prefix, postgresUrl, rows, withSnapshots: true }),
  };
}

async function drainBacklog({ kafka, prefix, postgresUrl, rows, withSnapshots }) {
  const database = await scratchDatabase(postgresUrl, `${prefix.replace(/\W/g, '_')}relay`);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: outboxMigrations,
    extra: { max: 10 },
  }).initialize();
  const transactionalIdPrefix = `${prefix}relay-${randomUUID()}`;
  const newRelay = () =>
    new OutboxRelay(
      dataSource,
      {
        producer: (transactionalId) =>
          kafka.producer(laneProducerConfig(transactionalId, defaultRelayOptions.sendTimeLimitMs)),
        admin: () => kafka.admin(),
      },
      { ...defaultRelayOptions, topicPrefix: prefix, transactionalIdPrefix },
      noFaults,
      database.url,
    );
  const outbox = new Outbox();
  // Transactions of 500 rows, as a busy service commits them (one transaction of every row would hold a lock per
  // key, more than Postgres's lock table has room for).
  const fill = async (count) => {
    for (let done = 0; done < count; done += 500) {
      await dataSource.transaction((transaction) =>
        outbox.enqueueRecords(transaction, records(Math.min(500, count - done), withSnapshots)),
      );
    }
  };
  const drained = async () => {
    const pending = `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`;
    while ((await dataSource.query(pending))[0].n > 0) await sleep(10);
  };
  let relay;
  try {
    await dataSource.runMigrations();
    // Warm up the broker's and this process's code paths, then stop: the backlog is written with no relay running.
    relay = newRelay();
    await relay.start();
    await fill(2_000);
    await drained();
    await relay.stop();

    await fill(rows);
    relay = newRelay();
    const started = performance.now();
    await relay.start();
    await drained();
    return { rows, recordsPerSecond: rows / ((performance.now() - started) / 1000) };
  } finally {
    await relay?.stop();
    await dataSource.destroy();
    await database.drop();
  }
}

/** `count` records over count/2 (or count) orders: an event each, or a snapshot then an event. */
function records(count, withSnapshots) {
  const out = [];
  while (out.length < count) {
    const key = randomUUID();
    if (withSnapshots)
      out.push({ id: randomUUID(), topic: 'relay-snapshots', key, type: 'Snapshot', payload: PAYLOAD });
    out.push({ id: randomUUID(), topic: 'relay-events', key, type: 'BenchEvent', payload: PAYLOAD });
  }
  return out.slice(0, count);
}
