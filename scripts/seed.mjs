// Demo data for a running system (npm run local:up first): stock for a few SKUs, and customers whose credit
// makes each path of the saga easy to try. Uses the services' own HTTP APIs, as an admin of the demo issuer; safe
// to run again.
import { adminAuthorization, DEMO_CUSTOMERS } from './demo-token.mjs';

const inventory = process.env.INVENTORY_URL ?? 'http://127.0.0.1:3003';
const payment = process.env.PAYMENT_URL ?? 'http://127.0.0.1:3002';

const stock = { 'BOOK-1': 100, 'MUG-1': 50, 'LAMP-1': 1 };
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

try {
  for (const [sku, available] of Object.entries(stock)) {
    await put(`${inventory}/stock/${sku}`, { available });
    console.log(`stock     ${sku}: ${available} available`);
  }
  for (const [who, [id, limitCents]] of Object.entries(customers)) {
    await put(`${payment}/customers/${id}/credit`, { limitCents });
    console.log(`customer  ${id}  ${who}`);
  }
} catch (error) {
  console.error(`seed: ${error.message}. Is the system running (npm run local:up)?`);
  process.exit(1);
}
