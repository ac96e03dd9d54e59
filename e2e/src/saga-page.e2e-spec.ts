/**
 * The saga page, in a real browser (headless Chromium): its buttons place the demo orders, its timeline follows
 * each saga to the end with every step in its service's lane and the compensations marked, and its cancel button
 * cancels a running order. Each page is opened before its orders exist and never reloaded, and it must not ask
 * for the orders again: every change it shows came over its one server-sent event stream.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '@saga/testing';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { SagaClient } from './support/saga-client.js';
import { SagaServices } from './support/saga-services.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ADA = '7f1c4c2e-8a55-4b8e-9a5e-2f0d3c1b6a11'; // a demo customer of scripts/seed.mjs
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let saga: SagaServices;
let client: SagaClient;
let browser: Browser;
let page: Page;
/** What the page asked the order service for, as "METHOD /path". */
let requests: string[];
let pageErrors: string[];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  }
  saga = await SagaServices.start();
  client = new SagaClient(saga);
  // The demo customers and stock that the buttons use, loaded the way `npm run seed` loads them.
  await promisify(execFile)(process.execPath, [`${root}scripts/seed.mjs`], {
    env: { ...process.env, INVENTORY_URL: saga.url('inventory'), PAYMENT_URL: saga.url('payment') },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await saga?.stop();
});

beforeEach(async () => {
  page = await openPage();
});

afterEach(async () => {
  await page?.close();
});

async function openPage(): Promise<Page> {
  const opened = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  opened.setDefaultTimeout(30_000);
  requests = [];
  pageErrors = [];
  opened.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  opened.on('pageerror', (error) => pageErrors.push(error.message));
  // What the service's Content-Security-Policy blocked (a script, a style, a request) is a page error too.
  opened.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      pageErrors.push(message.text());
    }
  });
  await opened.goto(`${saga.url('order')}/`); // redirects to the page, /saga/
  await opened.locator('#connection[data-state="live"]').waitFor(); // the stream is open and has sent the list
  return opened;
}

/** Live means pushed: the page opened one stream and never asked for the orders in any other way. */
function expectEverythingCameOverOneStream(): void {
  expect(requests.filter((request) => request.startsWith('GET /orders'))).toEqual(['GET /orders/stream']);
  expect(pageErrors).toEqual([]);
}

/** Clicks a demo order's button; returns the id of the order it placed. */
async function placeWith(button: string): Promise<string> {
  const [response] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST' && response.url().endsWith('/orders')),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  expect(response.status()).toBe(201);
  return ((await response.json()) as { orderId: string }).orderId;
}

const cardOf = (orderId: string, on = page): Locator => on.locator(`article[data-order-id="${orderId}"]`);

const untilStatus = (orderId: string, status: string, on = page) =>
  on.locator(`article[data-order-id="${orderId}"][data-status="${status}"]`).waitFor();

/** The lane each step belongs in: the service that publishes it. */
const LANE: Record<string, string> = {
  OrderPlaced: 'order',
  OrderCompleted: 'order',
  OrderCancelled: 'order',
  PaymentAuthorized: 'payment',
  PaymentDeclined: 'payment',
  PaymentRefunded: 'payment',
  StockReserved: 'inventory',
  StockReservationFailed: 'inventory',
  StockReleased: 'inventory',
  ShipmentScheduled: 'shipping',
  ShipmentFailed: 'shipping',
  ShipmentCancelled: 'shipping',
};

type ShownStep = { step: string; lane: string; kind: string; text: string };

/** The steps the order's timeline shows, top to bottom. */
async function stepsOf(orderId: string): Promise<ShownStep[]> {
  const steps: ShownStep[] = [];
  for (const item of await cardOf(orderId).locator('li[data-step]').all()) {
    const [step, lane, kind, text] = await Promise.all([
      item.getAttribute('data-step'),
      item.getAttribute('data-lane'),
      item.getAttribute('data-kind'),
      item.innerText(),
    ]);
    steps.push({ step: step!, lane: lane!, kind: kind!, text });
  }
  return steps;
}

/**
 * Waits until the order's timeline shows each of `expected`, and exactly the history that GET /orders/:id returns,
 * in its order (steps travel on different topics, so the order service may see two of them in either order).
 */
async function untilShown(orderId: string, expected: string[]): Promise<ShownStep[]> {
  for (const step of expected) await cardOf(orderId).locator(`li[data-step="${step}"]`).waitFor();
  const { shown } = await eventually(
    async () => ({
      shown: await stepsOf(orderId),
      history: (await client.order(orderId)).history.map((entry) => entry.type),
    }),
    ({ shown, history }) => JSON.stringify(shown.map((step) => step.step)) === JSON.stringify(history),
    { timeoutMs: 10_000, what: `the timeline of order ${orderId} equal to its history` },
  );
  expect(shown.map((step) => step.step).sort()).toEqual([...expected].sort());
  for (const { step, lane } of shown) expect({ step, lane }).toEqual({ step, lane: LANE[step] });
  return shown;
}

const kindOf = (steps: ShownStep[], step: string) => steps.find((shown) => shown.step === step)?.kind;

describe('the saga page', () => {
  it('places the happy order with a click and follows its saga live, lane by lane, to COMPLETED', async () => {
    const orderId = await placeWith('Happy path');
    await untilStatus(orderId, 'COMPLETED');

    const steps = await untilShown(orderId, [
      'OrderPlaced',
      'PaymentAuthorized',
      'StockReserved',
      'ShipmentScheduled',
      'OrderCompleted',
    ]);
    expect(steps.map((step) => step.kind)).not.toContain('compensation');
    const card = cardOf(orderId);
    expect(await card.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);

    // Drawn as lanes: each step sits under the heading of its service's lane, and below the step before it.
    const lanes = new Map<string, { x: number; width: number }>();
    for (const lane of ['order', 'payment', 'inventory', 'shipping']) {
      lanes.set(lane, (await card.locator('.lane', { hasText: lane }).boundingBox())!);
    }
    let previousBottom = 0;
    for (const [index, { step, lane }] of steps.entries()) {
      const box = (await card.locator('li[data-step]').nth(index).boundingBox())!;
      const middle = box.x + box.width / 2;
      const heading = lanes.get(lane)!;
      expect({ step, underItsLane: middle > heading.x && middle < heading.x + heading.width }).toEqual({
        step,
        underItsLane: true,
      });
      expect(box.y).toBeGreaterThanOrEqual(previousBottom);
      previousBottom = box.y + box.height;
    }
    expectEverythingCameOverOneStream();

    // A page that opens now (or reconnects) is sent the orders as they are.
    const later = await openPage();
    try {
      await untilStatus(orderId, 'COMPLETED', later);
      expect(await cardOf(orderId, later).locator('li[data-step]').count()).toBe(steps.length);
    } finally {
      await later.close();
    }
  });

  it.each([
    {
      button: 'Payment declined',
      reason: 'PAYMENT_DECLINED',
      failed: 'PaymentDeclined',
      taken: [],
      compensations: [],
    },
    {
      button: 'Out of stock',
      reason: 'OUT_OF_STOCK',
      failed: 'StockReservationFailed',
      taken: ['PaymentAuthorized'],
      compensations: ['PaymentRefunded'],
    },
    {
      button: 'Shipping unavailable',
      reason: 'SHIPPING_UNAVAILABLE',
      failed: 'ShipmentFailed',
      taken: ['PaymentAuthorized', 'StockReserved'],
      compensations: ['PaymentRefunded', 'StockReleased'],
    },
  ])(
    '"$button" ends CANCELLED with $reason, the cancellation and each compensation marked as such',
    async ({ button, reason, failed, taken, compensations }) => {
      const orderId = await placeWith(button);
      await untilStatus(orderId, 'CANCELLED');

      const steps = await untilShown(orderId, ['OrderPlaced', ...taken, failed, 'OrderCancelled', ...compensations]);
      expect(await cardOf(orderId).locator('.status').innerText()).toContain(reason);
      expect(kindOf(steps, failed)).toBe('failure');
      expect(steps.find((step) => step.step === 'OrderCancelled')).toMatchObject({
        kind: 'cancellation',
        text: expect.stringContaining(`cancellation: ${reason}`),
      });
      const marked = steps.filter((step) => step.kind === 'compensation');
      expect(marked.map((step) => step.step).sort()).toEqual([...compensations].sort());
      for (const step of marked) expect(step.text).toContain('compensation');
      expectEverythingCameOverOneStream();
    },
  );

  it('the cancel button cancels a running order; the steps already taken are undone, and marked so', async () => {
    await saga.stopService('shipping'); // the saga waits for shipping: the order stays running
    try {
      const orderId = await placeWith('Happy path');
      await untilStatus(orderId, 'STOCK_RESERVED');

      await cardOf(orderId).getByRole('button', { name: 'Cancel order' }).click();
      await untilStatus(orderId, 'CANCELLED');

      const steps = await untilShown(orderId, [
        'OrderPlaced',
        'PaymentAuthorized',
        'StockReserved',
        'OrderCancelled',
        'PaymentRefunded',
        'StockReleased',
      ]);
      const card = cardOf(orderId);
      expect(await card.locator('.status').innerText()).toContain('CUSTOMER_CANCELLED');
      expect(await card.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
      expect(kindOf(steps, 'OrderCancelled')).toBe('cancellation');
      expect([kindOf(steps, 'PaymentRefunded'), kindOf(steps, 'StockReleased')]).toEqual([
        'compensation',
        'compensation',
      ]);
      expectEverythingCameOverOneStream();
    } finally {
      await saga.startService('shipping');
    }
  });

  it("shows orders placed by other clients, keeps up when the service's LISTEN connection drops, and drops erased orders", async () => {
    const [listeners] = await saga.query<{ terminated: number }>(
      'order',
      `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity
       WHERE datname = current_database() AND query = 'LISTEN order_changes'`,
    );
    expect(listeners).toEqual({ terminated: 1 });

    const orderId = await client.placeOrder(ADA, [{ sku: 'BOOK-1', quantity: 1 }]);
    await untilStatus(orderId, 'COMPLETED');

    expect((await client.erase(orderId)).status).toBe(204);
    await cardOf(orderId).waitFor({ state: 'detached' });
    expectEverythingCameOverOneStream();
  });

  it("shows the API's Swagger UI under the same strict security headers", async () => {
    const docs = await browser.newPage();
    const blocked: string[] = [];
    docs.on('pageerror', (error) => blocked.push(error.message));
    docs.on('console', (message) => message.type() === 'error' && blocked.push(message.text()));
    try {
      const response = await docs.goto(`${saga.url('order')}/docs`);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
      // Drawn by Swagger UI's scripts from the service's document: they ran, and were allowed to.
      await docs.locator('.swagger-ui .info .title', { hasText: 'order service' }).waitFor();
      await docs.locator('.opblock-summary-path', { hasText: '/orders' }).first().waitFor();
      expect(blocked).toEqual([]);
    } finally {
      await docs.close();
    }
  });
});
