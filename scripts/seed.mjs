// Demo data for a running system (npm run local:up first): a few products with their prices and stock, and
// customers whose credit makes each path of the saga easy to try. Uses the services' own HTTP APIs, as an admin of the demo issuer; safe
// to run again.
import { adminAuthorization, DEMO_CUSTOMERS } from './demo-token.mjs';

const inventory = process.env.INVENTORY_URL ?? 'http://127.0.0.1:3003';
const payment = process.env.PAYMENT_URL ?? 'http://127.0.0.1:3002';

// Inventory owns the prices: the order service learns them from the `products` topic and charges them.
const products = {
  'BOOK-1': { name: 'A book', priceCents: 1500, available: 100 },
  'MUG-1': { name: 'A mug', priceCents: 900, available: 50 },
  'LAMP-1': { name: 'A lamp (one left)', priceCents: 1500, available: 1 },
};
const customers = {
  'Ada (credit 100000, the default)': [DEMO_CUSTOMERS.ada, 100_000],
  'Bob (credit 1000: payments get declined)': [DEMO_CUSTOMERS.bob, 1_000],
};

async function put(url, body) {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: await adminAuthorization(new URL(url).origin) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`PUT ${url} answered ${response.status}: ${await response.text()}`);
}

async function untilPublished(sku, timeoutMs = 60_000) {
  const url = `${inventory}/products/${sku}`;
  for (const deadline = Date.now() + timeoutMs; ;) {
    const response = await fetch(url, { headers: { authorization: await adminAuthorization(inventory) } });
    if (response.ok && (await response.json()).published) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${sku} not published on the products topic after ${timeoutMs} ms (is Kafka up? GET ${inventory}/health ` +
          'counts the outbox rows set aside, which are never sent)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  for (const [sku, { name, priceCents, available }] of Object.entries(products)) {
    await put(`${inventory}/products/${sku}`, { name, priceCents });
    await put(`${inventory}/stock/${sku}`, { available });
    console.log(`product   ${sku}: ${priceCents} cents, ${available} available`);
  }
  // Published, so that the order service can hear of the prices before the first order: through inventory's
  // outbox (the first transaction on a new broker can take a few seconds), then the `products` topic.
  for (const sku of Object.keys(products)) await untilPublished(sku);
  for (const [who, [id, limitCents]] of Object.entries(customers)) {
    await put(`${payment}/customers/${id}/credit`, { limitCents });
    console.log(`customer  ${id}  ${who}`);
  }
} catch (error) {
  console.error(`seed: ${error.message}. Is the system running (npm run local:up)?`);
  process.exit(1);
}
