// Small helpers of the benchmark: percentiles of samples, the services' Prometheus histograms, scratch databases.
import pg from 'pg';

/** The q-quantile (0..1) of `samples` by the nearest-rank method; NaN for no samples. */
export function quantile(samples, q) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const summary = (samples) => ({
  count: samples.length,
  p50: quantile(samples, 0.5),
  p90: quantile(samples, 0.9),
  p99: quantile(samples, 0.99),
  max: samples.length === 0 ? NaN : Math.max(...samples),
});

/**
 * The `saga_hop_seconds` histogram of one service's `/metrics` text: per hop, its cumulative buckets
 * (upper bound in ms -> count), sum (ms) and count.
 */
export function parseHops(text) {
  const hops = {};
  const hop = (name) => (hops[name] ??= { buckets: new Map(), sumMs: 0, count: 0 });
  for (const line of text.split('\n')) {
    const match = /^saga_hop_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const value = Number(match[3]);
    const entry = hop(labels.hop);
    if (match[1] === 'bucket') entry.buckets.set(labels.le === '+Inf' ? Infinity : Number(labels.le) * 1000, value);
    else if (match[1] === 'sum') entry.sumMs = value * 1000;
    else entry.count = value;
  }
  return hops;
}

/** What happened between two scrapes of the same service: per hop, count, mean and estimated p50/p99 (ms). */
export function hopsBetween(before, after) {
  const result = {};
  for (const [name, now] of Object.entries(after)) {
    const then = before[name] ?? { buckets: new Map(), sumMs: 0, count: 0 };
    const count = now.count - then.count;
    if (count <= 0) continue;
    const buckets = [...now.buckets].map(([le, n]) => [le, n - (then.buckets.get(le) ?? 0)]);
    result[name] = {
      count,
      meanMs: (now.sumMs - then.sumMs) / count,
      p50Ms: bucketQuantile(buckets, count, 0.5),
      p99Ms: bucketQuantile(buckets, count, 0.99),
    };
  }
  return result;
}

/** The q-quantile from cumulative buckets, interpolated linearly inside its bucket (as Prometheus does). */
function bucketQuantile(buckets, count, q) {
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const [le, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(1, cumulative - below);
    }
    lower = le;
    below = cumulative;
  }
  return lower;
}

export const ms = (value) => (Number.isNaN(value) ? '–' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
export const perSecond = (value) => (value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0));

/** A new, empty database on the server at `postgresUrl`; `drop()` deletes it. */
export async function scratchDatabase(postgresUrl, name) {
  const server = new pg.Client({ connectionString: postgresUrl });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.query(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.end();
    },
  };
}
