// The README's first order, placed against a running system (either quick start) and followed until the saga
// ends: exits 0 when the order is COMPLETED and every service's view of the orders agrees with the order service,
// 1 otherwise. scripts/smoke.sh runs it after each quick start; it needs nothing but Node (it is piped into
// containers too, so it imports nothing: the token request below is scripts/demo-token.mjs's, inlined).
//   node scripts/readme-order.mjs        ORDER_URL (default http://127.0.0.1:3001) and the three others may be set
const services = {
  order: process.env.ORDER_URL ?? 'http://127.0.0.1:3001',
  payment: process.env.PAYMENT_URL ?? 'http://127.0.0.1:3002',
  inventory: process.env.INVENTORY_URL ?? 'http://127.0.0.1:3003',
  shipping: process.env.SHIPPING_URL ?? 'http://127.0.0.1:3004',
};
const timeoutMs = Number(process.env.README_ORDER_TIMEOUT_MS ?? 120_000);

// The request of the README's "Trying it from the command line", byte for byte in meaning: placed by Ada.
const ada = '7f1c4c2e-8a55-4b8e-9a5e-2f0d3c1b6a11';
const order = {
  items: [{ sku: 'BOOK-1', quantity: 2 }],
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Way',
    city: 'London',
    postalCode: 'N1 9GU',
    country: 'GB',
  },
};

/** A bearer token of the demo issuer (demo mode), from the order service. */
async function tokenFor(request) {
  const { token } = await call('POST', `${services.order}/auth/demo-token`, request);
  return `Bearer ${token}`;
}

async function call(method, url, body, authorization) {
  const response = await fetch(url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(authorization ? { authorization } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Polls `read` until `done` holds for its value, or throws with `what` and the last value after the timeout. */
async function until(what, read, done) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} within ${timeoutMs / 1000} s; last seen: ${JSON.stringify(last)}`);
}

try {
  const [asAda, asAdmin] = [await tokenFor({ role: 'customer', customerId: ada }), await tokenFor({ role: 'admin' })];
  const started = Date.now();
  const { orderId } = await call('POST', `${services.order}/orders`, order, asAda);
  console.log(`readme-order: placed ${orderId}`);
  const ended = await until(
    `order ${orderId} did not end`,
    () => call('GET', `${services.order}/orders/${orderId}`, undefined, asAda),
    (o) => o.status === 'COMPLETED' || o.status === 'CANCELLED',
  );
  const steps = ended.history.map((step) => step.type).join(' → ');
  console.log(`readme-order: ${ended.status} after ${Date.now() - started} ms: ${steps}`);
  if (ended.status !== 'COMPLETED') throw new Error(`the README order ended ${ended.status} (${ended.reason})`);

  // Each service keeps its own view of the orders, fed by the compacted topic: all of them must agree.
  const source = await call('GET', `${services.order}/admin/order-view`, undefined, asAdmin);
  for (const name of ['payment', 'inventory', 'shipping']) {
    await until(
      `${name}'s view of the orders did not match the order service's (${source.count} orders)`,
      () => call('GET', `${services[name]}/admin/order-view`, undefined, asAdmin),
      (view) => view.count === source.count && view.checksum === source.checksum,
    );
  }
  console.log(
    `readme-order: all four views of the orders agree (count ${source.count}, checksum ${source.checksum.slice(0, 12)}…)`,
  );
} catch (error) {
  console.error(`readme-order: ${error.message}`);
  process.exit(1);
}
