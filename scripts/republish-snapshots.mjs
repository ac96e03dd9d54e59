#!/usr/bin/env node
/**
 * Publishes every order's current snapshot to the compacted `orders` topic again, through the order service's
 * outbox: how `orders` is repaired (a record lost, dead letters of `orders`), never by a redrive, which could send
 * back an older snapshot than the newest one of its order.
 *
 *   npm run republish-snapshots              (or: node scripts/republish-snapshots.mjs [order-service-url])
 * It calls as an admin: SAGA_TOKEN, or a demo token (demo-token.mjs).
 */
import { adminAuthorization } from './demo-token.mjs';

const [baseUrl = 'http://127.0.0.1:3001'] = process.argv.slice(2);
const notAnswering = (error) => {
  console.error(`the order service does not answer at ${baseUrl} (${error.cause?.code ?? error.message})`);
  process.exit(69);
};
const authorization = await adminAuthorization(baseUrl).catch(notAnswering);
const response = await fetch(`${baseUrl}/admin/order-view/republish`, {
  method: 'POST',
  headers: { authorization },
}).catch(notAnswering);
const body = await response.json();
if (!response.ok) {
  console.error(`republishing failed: ${response.status} ${JSON.stringify(body)}`);
  process.exit(1);
}
console.log(
  `${body.republished} snapshot(s) enqueued; the relay publishes them, and every view applies the newer ones`,
);
