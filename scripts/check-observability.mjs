// Compose's observability profile, end to end, after the README's order (scripts/smoke.sh observability): the
// order's trace is in the trace viewer, found by its id, with spans of all four services; Grafana serves the saga
// dashboard. (The dashboard's queries are checked on the profile's Prometheus by scripts/check-dashboard.mjs.)
// Exits 0 when all of that holds within two minutes, 1 otherwise.
import { adminAuthorization } from './demo-token.mjs';

const order = process.env.ORDER_URL ?? 'http://127.0.0.1:3001';
const jaeger = process.env.JAEGER_URL ?? 'http://127.0.0.1:16686';
const grafana = process.env.GRAFANA_URL ?? 'http://127.0.0.1:3000';
const services = ['order', 'payment', 'inventory', 'shipping'];

async function json(url, headers = {}) {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** Polls `check` until it returns without throwing; throws its last error after two minutes. */
async function eventually(what, check) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${error.message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

try {
  const { orders } = await json(`${order}/orders?limit=1`, { authorization: await adminAuthorization(order) });
  const orderId = orders[0]?.orderId;
  if (!orderId) throw new Error('no order to look for: place one first (scripts/readme-order.mjs)');
  const search = new URLSearchParams({
    service: 'order',
    lookback: '1h',
    tags: JSON.stringify({ 'saga.order_id': orderId }),
  });
  const inTrace = await eventually(`the trace of order ${orderId} in the trace viewer`, async () => {
    const { data } = await json(`${jaeger}/api/traces?${search}`);
    const names = new Set(
      data.flatMap((trace) => Object.values(trace.processes).map((process) => process.serviceName)),
    );
    const missing = services.filter((name) => !names.has(name));
    if (missing.length > 0) throw new Error(`${data.length} traces, no spans of ${missing.join(', ')} yet`);
    return data;
  });
  console.log(`observability: order ${orderId}: ${inTrace.length} trace(s) in Jaeger, spans of all four services`);
  const { dashboard } = await eventually('the saga dashboard in Grafana', () =>
    json(`${grafana}/api/dashboards/uid/saga`),
  );
  console.log(`observability: Grafana serves "${dashboard.title}", ${dashboard.panels.length} panels`);
} catch (error) {
  console.error(`observability: ${error.message}`);
  process.exit(1);
}
