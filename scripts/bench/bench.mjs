// npm run bench: the saga and the relay measured against this machine's own limits, in one run.
//
// Local mode (default): stops the local mode if it runs, then for each instance count starts a fresh broker
// (its own data directory) and fresh bench_* databases, so your saga_* data and topics are left alone, runs the
// steps, and stops everything again. With --compose it measures a compose stack that is already up (one instance
// of each service; the floors that need Postgres are skipped, as the stack does not publish it).
//
//   npm run bench                         the full run (about half an hour), writes docs/benchmarks.md
//   npm run bench -- --smoke              a few seconds of each part, written to .local/bench/ (CI runs this)
//   npm run bench -- --loads 20,50 --hold 30 --instances 1
//
// It asserts nothing about speed: it prints what it measured, beside the machine it measured it on.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { measureFloors, quietKafka } from './floors.mjs';
import { measureRelay } from './relay.mjs';
import { writeReport } from './report.mjs';
import { dockerStats, readInfrastructure, scrapeProcesses } from './resources.mjs';
import { OrderEnds, prepare, runStep } from './sagas.mjs';
import { hopsBetween, parseHops } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICES = { order: 3001, payment: 3002, inventory: 3003, shipping: 3004 };
/** A step is sustained when this share of its orders ended, and 99% of them within this long. */
const SUSTAINED = { endedShare: 0.99, p99Ms: 2_000, offeredShare: 0.95 };

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    compose: { type: 'boolean', default: false },
    instances: { type: 'string' },
    loads: { type: 'string' },
    prime: { type: 'string' },
    warmup: { type: 'string' },
    hold: { type: 'string' },
    drain: { type: 'string' },
    'floor-seconds': { type: 'string' },
    'relay-rows': { type: 'string' },
    out: { type: 'string' },
  },
});
/** A number from the command line, or a message that names the option and what it takes. */
function count(option, value, { min = 1, max = Infinity } = {}) {
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    console.error(`bench: --${option} takes a number ${range}, not "${value}" (see the top of this file)`);
    process.exit(2);
  }
  return number;
}
const list = (option, value, range) => value.split(',').map((item) => count(option, item, range));
const settings = {
  mode: args.compose ? 'compose' : 'local',
  instances: list('instances', args.instances ?? (args.smoke || args.compose ? '1' : '1,2'), { min: 1, max: 9 }),
  loads: list('loads', args.loads ?? (args.smoke ? '5,10' : '10,20,50,100,200')),
  primeS: count('prime', args.prime ?? (args.smoke ? 2 : 60), { min: 0 }),
  warmupS: count('warmup', args.warmup ?? (args.smoke ? 1 : 10), { min: 0 }),
  holdS: count('hold', args.hold ?? (args.smoke ? 3 : 60)),
  drainS: count('drain', args.drain ?? 30),
  floorSeconds: count('floor-seconds', args['floor-seconds'] ?? (args.smoke ? 1 : 5)),
  relayRows: count('relay-rows', args['relay-rows'] ?? (args.smoke ? 1_000 : 20_000)),
  out: args.out ?? (args.smoke ? join(root, '.local/bench/benchmarks.md') : join(root, 'docs/benchmarks.md')),
};
if (settings.mode === 'compose' && settings.instances.some((n) => n !== 1)) {
  throw new Error('--compose measures the stack as it runs: one instance of each service');
}

const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const benchEnv = {
  ...process.env,
  POSTGRES_URL: postgresUrl,
  SAGA_DATABASE_PREFIX: 'bench_',
  // One client offers every order: the benchmark measures the saga, not the limit on one client's writes.
  RATE_LIMIT_WRITES_PER_MINUTE: '0',
  KAFKA_DATA_DIR: join(root, '.local/bench/kafka-data'),
  KAFKA_LOG_FILE: join(root, '.local/logs/kafka-bench.log'),
};
const local = (...command) =>
  execFileSync('bash', [join(root, 'scripts/local.sh'), ...command], { env: benchEnv, stdio: 'inherit' });

const say = (line) => console.log(`bench: ${line}`);

/**
 * The services on fresh bench_* databases and fresh topics. The broker is started once per run and kept (its JIT
 * warm): between instance counts the services are stopped and their topics and consumer groups deleted.
 */
async function startFresh(instances, kafka) {
  say(`fresh bench_* databases and topics, ${instances} instance(s) of each service`);
  if (!startFresh.brokerUp) {
    local('down');
    rmSync(benchEnv.KAFKA_DATA_DIR, { recursive: true, force: true });
    startFresh.brokerUp = true;
  } else {
    local('down', ...Object.keys(SERVICES));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => !topic.startsWith('__'));
      await admin.deleteTopics({ topics });
      const { groups } = await admin.listGroups();
      await admin.deleteGroups(groups.map((group) => group.groupId));
    } finally {
      await admin.disconnect();
    }
  }
  execFileSync('node', [join(root, 'scripts/create-databases.mjs'), '--drop'], { env: benchEnv, stdio: 'ignore' });
  local('up', '--instances', String(instances));
}

/** The instances' base URLs: order, order.2, ... (the second instance listens 10 ports above the first). */
function instancesOf(count) {
  return Object.fromEntries(
    Object.entries(SERVICES).flatMap(([service, port]) =>
      Array.from({ length: count }, (_, i) => [
        i === 0 ? service : `${service}.${i + 1}`,
        `http://127.0.0.1:${port + 10 * i}`,
      ]),
    ),
  );
}

async function runLadder(kafka, instances) {
  const urls = instancesOf(instances);
  const customers = await prepare(urls);
  const ends = await OrderEnds.start(kafka, 'orders');
  const backlog = await Backlog.open(kafka, settings.mode === 'local' ? postgresUrl : undefined);
  const steps = [];
  try {
    // The JITs of the broker and of the new service processes compile as the load arrives: a run at the first
    // load, not counted, so that the steps measure compiled code.
    say(`${instances} instance(s): priming at ${settings.loads[0]} orders/s for ${settings.primeS} s`);
    await runStep({
      orderUrl: urls.order,
      customers,
      ends,
      rate: settings.loads[0],
      warmupS: 0,
      holdS: settings.primeS,
      drainS: settings.drainS,
      observe: async () => ({}),
    });
    for (const rate of settings.loads) {
      if (steps.length > 0 && !steps.at(-1).sustained) {
        steps.push({ rate, skipped: true });
        continue;
      }
      say(`${instances} instance(s): ${rate} orders/s for ${settings.warmupS} + ${settings.holdS} s`);
      const before = await snapshot(urls);
      const result = await runStep({
        orderUrl: urls.order,
        customers,
        ends,
        rate,
        warmupS: settings.warmupS,
        holdS: settings.holdS,
        drainS: settings.drainS,
        observe: () => backlog.sample(),
      });
      const after = await snapshot(urls);
      const step = { ...result, ...between(before, after) };
      step.sustained =
        step.endedShare >= SUSTAINED.endedShare &&
        step.latency.p99 <= SUSTAINED.p99Ms &&
        step.achievedRate >= SUSTAINED.offeredShare * rate;
      step.maxBacklog = {
        outboxRows: Math.max(0, ...step.samples.map((sample) => sample.outboxRows ?? 0)),
        consumerLag: Math.max(0, ...step.samples.map((sample) => sample.consumerLag)),
      };
      delete step.samples;
      say(
        `  ended ${step.ended}/${step.offered}, p50 ${step.latency.p50.toFixed(0)} ms, p99 ` +
          `${step.latency.p99.toFixed(0)} ms${step.sustained ? '' : ' (not sustained)'}`,
      );
      steps.push(step);
    }
  } finally {
    await backlog.close();
    await ends.stop();
  }
  return { instances, steps };
}

/** What the step is compared by: every instance's /metrics, and the broker's and Postgres's counters. */
async function snapshot(urls) {
  return {
    at: performance.now(),
    processes: await scrapeProcesses(urls),
    infrastructure: settings.mode === 'local' ? readInfrastructure() : undefined,
  };
}

/** Per service (instances summed): hops and CPU share over the step, and memory at its end; same for infrastructure. */
function between(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const services = {};
  for (const [name, now] of Object.entries(after.processes)) {
    const service = name.split('.')[0];
    const then = before.processes[name];
    const entry = (services[service] ??= { cpuShare: 0, rssBytes: 0, hops: {} });
    entry.cpuShare += (now.cpuSeconds - then.cpuSeconds) / seconds;
    entry.rssBytes = Math.max(entry.rssBytes, now.rssBytes); // the largest instance: the budget is per process
    for (const [hop, figures] of Object.entries(hopsBetween(parseHops(then.text), parseHops(now.text)))) {
      const sum = (entry.hops[hop] ??= { count: 0, totalMs: 0, p99Ms: 0 });
      sum.count += figures.count;
      sum.totalMs += figures.meanMs * figures.count;
      sum.p99Ms = Math.max(sum.p99Ms, figures.p99Ms);
    }
  }
  for (const entry of Object.values(services)) {
    for (const hop of Object.values(entry.hops)) hop.meanMs = hop.totalMs / hop.count;
  }
  let infrastructure;
  if (after.infrastructure) {
    infrastructure = Object.fromEntries(
      Object.entries(after.infrastructure).map(([name, now]) => [
        name,
        { cpuShare: (now.cpuSeconds - before.infrastructure[name].cpuSeconds) / seconds, rssBytes: now.rssBytes },
      ]),
    );
  } else {
    infrastructure = dockerStats();
  }
  return { services, infrastructure };
}

/** Work waiting, sampled every second: consumer lag of the four groups, and unsent outbox rows (local mode). */
class Backlog {
  static async open(kafka, serverUrl) {
    const backlog = new Backlog();
    backlog.admin = kafka.admin();
    await backlog.admin.connect();
    backlog.pools = serverUrl
      ? Object.keys(SERVICES).map((service) => {
          const url = new URL(serverUrl);
          url.pathname = `/bench_${service}`;
          return new pg.Pool({ connectionString: url.toString(), max: 1 });
        })
      : [];
    return backlog;
  }

  async sample() {
    try {
      let consumerLag = 0;
      const ends = new Map();
      for (const groupId of Object.keys(SERVICES)) {
        for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId })) {
          if (!ends.has(topic)) ends.set(topic, await this.admin.fetchTopicOffsets(topic));
          for (const { partition, offset } of partitions) {
            const end = ends.get(topic).find((p) => p.partition === partition);
            if (end && offset !== '-1') consumerLag += Math.max(0, Number(end.high) - Number(offset));
          }
        }
      }
      const counts = await Promise.all(
        this.pools.map(
          async (pool) =>
            (await pool.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n,
        ),
      );
      return { consumerLag, outboxRows: this.pools.length ? counts.reduce((a, b) => a + b, 0) : undefined };
    } catch {
      return { consumerLag: 0 };
    }
  }

  async close() {
    await this.admin.disconnect();
    await Promise.all(this.pools.map((pool) => pool.end()));
  }
}

async function machine() {
  const read = (command, ...rest) => {
    try {
      return execFileSync(command, rest, { cwd: root }).toString().trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    memory: `${Math.round(os.totalmem() / 1024 ** 3)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    kafka: /KAFKA_VERSION=(\S+)/.exec(readFileSync(join(root, 'infra/kafka/kafka.env'), 'utf8'))?.[1],
    postgres: await postgresVersion(),
    commit: read('git', 'describe', '--always', '--dirty'),
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
}

async function postgresVersion() {
  if (settings.mode !== 'local') return 'Postgres of the compose stack';
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return `PostgreSQL ${(await client.query('SHOW server_version')).rows[0].server_version}`;
  } finally {
    await client.end();
  }
}

async function main() {
  const runs = [];
  let floors;
  let relay;
  try {
    if (settings.mode === 'local') local('down');
    for (const instances of settings.instances) {
      const kafka = quietKafka(brokers);
      if (settings.mode === 'local') await startFresh(instances, kafka);
      if (!floors) {
        say(`floors (${settings.floorSeconds} s each)`);
        floors = await measureFloors({
          kafka,
          prefix: 'bench.',
          postgresUrl: settings.mode === 'local' ? postgresUrl : undefined,
          seconds: settings.floorSeconds,
        });
        if (settings.mode === 'local') {
          say(`relay: draining ${settings.relayRows} committed outbox rows`);
          relay = await measureRelay({ kafka, prefix: 'bench.', postgresUrl, rows: settings.relayRows });
        }
      }
      runs.push(await runLadder(kafka, instances));
    }
  } finally {
    if (settings.mode === 'local') local('down');
  }

  const report = await writeReport({
    settings,
    machine: await machine(),
    floors,
    relay,
    runs,
    sustainedRule: SUSTAINED,
  });
  console.log(`\n${report.table}\nbench: written to ${settings.out}`);
  const unended = runs.flatMap((run) => run.steps).filter((step) => step.ended === 0);
  if (unended.length > 0) {
    console.error(
      `bench: no saga ended at ${unended.map((step) => `${step.rate}/s`).join(', ')}: the system is broken`,
    );
    process.exit(1);
  }
}

await main();
