#!/usr/bin/env node
/**
 * Rebuilds one service's order view from the compacted `orders` topic, and follows it to the end:
 *
 *   npx nx run inventory:rebuild          (or: node scripts/rebuild-view.mjs inventory [base-url])
 *
 * The service drops its view, replays `orders` from offset 0, and holds saga events until it has caught up.
 * Prints the progress, then the view's count and checksum: compare them with the order service's
 * (GET /admin/order-view on each service). It calls as an admin: SAGA_TOKEN, or a demo token (demo-token.mjs).
 */
import { adminAuthorization } from './demo-token.mjs';

const ports = { payment: 3002, inventory: 3003, shipping: 3004 };
const [service, baseUrl = `http://127.0.0.1:${ports[process.argv[2]]}`] = process.argv.slice(2);
if (!Object.hasOwn(ports, service ?? '')) {
  console.error(`usage: rebuild-view.mjs <${Object.keys(ports).join('|')}> [base-url]`);
  process.exit(64);
}

const notAnswering = (error) => {
  console.error(`${service} does not answer at ${baseUrl} (${error.cause?.code ?? error.message}). Is it running?`);
  console.error('A service that starts with an empty view rebuilds it by itself.');
  process.exit(69);
};
const authorization = await adminAuthorization(baseUrl).catch(notAnswering);
const call = async (method, path) => {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization } }).catch(notAnswering);
  const body = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
};

const before = await call('GET', '/admin/order-view');
console.log(`${service}: ${before.count} orders, checksum ${before.checksum}; rebuilding from offset 0`);
const refused = await fetch(`${baseUrl}/admin/order-view/rebuild`, {
  method: 'POST',
  headers: { authorization },
}).then(async (response) => (response.status === 409 ? (await response.json()).message : null));
if (refused) {
  console.error(`${service}: the rebuild was refused, nothing was touched: ${refused}`);
  process.exit(75);
}

const started = Date.now();
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const view = await call('GET', '/admin/order-view');
  if (view.state === 'live') {
    console.log(`${service}: rebuilt in ${Date.now() - started} ms: ${view.count} orders, checksum ${view.checksum}`);
    break;
  }
  if (view.state === 'rebuilding' && view.progress === null) {
    console.log(`${service}: dropping the view and rewinding to offset 0`);
  } else if (view.state === 'rebuilding') {
    const { records, offsetsRead, offsetsTotal } = view.progress;
    const percent = offsetsTotal === 0 ? 100 : Math.floor((100 * offsetsRead) / offsetsTotal);
    console.log(`${service}: ${records} records applied, ${percent}% of ${offsetsTotal} offsets read`);
  } else if (view.state === 'failed') {
    console.log(`${service}: cannot rebuild yet: ${view.error}`);
    console.log(`${service}: it retries every 2 s until it can; fix the cause or press Ctrl-C (the service goes on)`);
  } else {
    console.log(`${service}: ${view.state}`);
  }
}
