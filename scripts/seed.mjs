// Demo data for a running system (npm run local:up first): stock for a few SKUs, and customers whose credit
// makes each path of the saga easy to try. Uses the services' own HTTP APIs; safe to run again.
const inventory = process.env.INVENTORY_URL ?? 'http://127.0.0.1:3003';
const payment = process.env.PAYMENT_URL ?? 'http://127.0.0.1:3002';

const stock = { 'BOOK-1': 100, 'MUG-1': 50, 'LAMP-1': 1 };
const customers = {
  'Ada (credit 100000, the default)': ['7f1c4c2e-8a55-4b8e-9a5e-2f0d3c1b6a11', 100_000],
  'Bob (credit 1000: payments get declined)': ['0b0b0b0b-1111-4222-8333-444444444444', 1_000],
};

async function put(url, body) {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
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
