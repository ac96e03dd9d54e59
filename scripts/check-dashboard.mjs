// The Grafana dashboard's queries, run on a real Prometheus against a running system (scripts/smoke.sh local runs
// it after the README's order). A unit test checks that the dashboard names only metrics the services export
// (tools/compose/compose-file.spec.ts); this checks what only Prometheus can: that every query parses and runs, and
// that the panels of a working saga show data once a few orders have run.
//   PROMETHEUS=/path/to/prometheus node scripts/check-dashboard.mjs
//     starts that Prometheus, scraping the services with infra/observability/prometheus.yml, its compose host names
//     replaced by 127.0.0.1 (the local mode)
//   PROMETHEUS_URL=http://127.0.0.1:9090 node scripts/check-dashboard.mjs
//     asks a Prometheus that runs already (compose's observability profile)
// Exits 0 when every query ran and every panel that must show data does, 1 otherwise.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { demoToken } from './demo-token.mjs';

const root = new URL('../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const binary = process.env.PROMETHEUS ?? 'prometheus';
const prometheusUrl = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:19090';
const order = process.env.ORDER_URL ?? 'http://127.0.0.1:3001';
const timeoutMs = 90_000;

// Panels that show nothing while nothing goes wrong: their series appear with the first retry or dead letter.
// Their queries must still run.
const quietWhileHealthy = new Set([
  'Dead letters per minute, by topic and reason',
  'Retries and not-yet waits per second, by service',
  'Order view rebuild progress, by service',
]);

/** Starts Prometheus on the local mode's services; returns how to stop it and what it said last. */
function startPrometheus() {
  const config = parse(read('infra/observability/prometheus.yml'));
  config.scrape_configs = config.scrape_configs.map(({ dns_sd_configs, ...job }) => ({
    ...job,
    static_configs: [{ targets: dns_sd_configs.map(({ port }) => `127.0.0.1:${port}`) }],
  }));
  const workDirectory = mkdtempSync(join(tmpdir(), 'saga-dashboard-'));
  writeFileSync(join(workDirectory, 'prometheus.yml'), stringify(config));
  const prometheus = spawn(
    binary,
    [
      `--config.file=${join(workDirectory, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(workDirectory, 'data')}`,
      `--web.listen-address=${new URL(prometheusUrl).host}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  prometheus.stderr.on('data', (chunk) => (log = (log + chunk).slice(-4_000)));
  const exited = new Promise((resolve) => prometheus.on('exit', resolve));
  prometheus.on('error', (error) => {
    console.error(`dashboard: cannot run ${binary}: ${error.message}`);
    process.exit(1);
  });
  return {
    log: () => log,
    stop: async () => {
      prometheus.kill('SIGTERM');
      await exited;
      rmSync(workDirectory, { recursive: true, force: true });
    },
  };
}

async function query(expr) {
  const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const answer = await response.json();
  if (answer.status !== 'success') throw new Error(`${answer.errorType}: ${answer.error}`);
  return answer.data.result;
}

async function placeOrders() {
  // One order of each outcome the demo data allows: completed (Ada), and declined (Bob's credit is too small).
  for (const customer of ['ada', 'bob']) {
    const response = await fetch(`${order}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await demoToken(order, customer)}` },
      body: JSON.stringify({
        items: [{ sku: 'BOOK-1', quantity: 1 }],
        shippingAddress: {
          name: 'Ada Lovelace',
          line1: '12 Analytical Way',
          city: 'London',
          postalCode: 'N1 9GU',
          country: 'GB',
        },
      }),
    });
    if (!response.ok) throw new Error(`POST /orders answered ${response.status}: ${await response.text()}`);
  }
}

const panels = JSON.parse(read('infra/observability/grafana/dashboards/saga.json')).panels.filter(
  (panel) => panel.targets,
);
const started = process.env.PROMETHEUS_URL ? undefined : startPrometheus();
let failed = false;
try {
  // Orders before and during the scrapes, so that rates have two samples to compare.
  await placeOrders();
  const deadline = Date.now() + timeoutMs;
  let pending = panels;
  while (pending.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await placeOrders();
    const stillPending = [];
    for (const panel of pending) {
      try {
        const series = await Promise.all(panel.targets.map(({ expr }) => query(expr)));
        const shown = series.reduce((count, result) => count + result.length, 0);
        if (shown > 0 || quietWhileHealthy.has(panel.title)) {
          console.log(`dashboard: ok     ${panel.title} (${shown} series)`);
        } else stillPending.push(panel);
      } catch (error) {
        // Prometheus not listening yet, or a query it refuses: the latter does not get better by waiting.
        if (error instanceof TypeError) stillPending.push(panel);
        else {
          console.error(`dashboard: FAILED ${panel.title}: ${error.message}`);
          failed = true;
        }
      }
    }
    pending = stillPending;
  }
  for (const panel of pending) {
    console.error(`dashboard: FAILED ${panel.title}: no data after ${timeoutMs / 1000} s of orders`);
    failed = true;
  }
} catch (error) {
  console.error(`dashboard: ${error.message}`);
  failed = true;
} finally {
  await started?.stop();
}
if (failed && started) console.error(`dashboard: Prometheus said, last:\n${started.log()}`);
process.exit(failed ? 1 : 0);
