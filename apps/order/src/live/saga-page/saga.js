/**
 * The saga page. It keeps the newest orders from the server-sent events of GET /orders/stream (the list on
 * connecting, then every order as it changes), and draws each one's history as a timeline with a lane per service.
 * The buttons call the order service's ordinary API, as any client would: an order is placed by its customer, and
 * the page watches and cancels as the shop's admin, with tokens of the demo issuer (POST /auth/demo-token, in demo
 * mode only). No framework, no build step: the browser runs this file as it is.
 */

const LANES = ['order', 'payment', 'inventory', 'shipping'];

/**
 * The service each step of an order's history comes from, and its part in the saga. A compensation undoes a
 * step its service took; the cancellation is what makes the services compensate.
 */
const STEPS = {
  OrderPlaced: { lane: 'order', kind: 'step' },
  PaymentAuthorized: { lane: 'payment', kind: 'step' },
  PaymentDeclined: { lane: 'payment', kind: 'failure' },
  PaymentRefunded: { lane: 'payment', kind: 'compensation' },
  StockReserved: { lane: 'inventory', kind: 'step' },
  StockReservationFailed: { lane: 'inventory', kind: 'failure' },
  StockReleased: { lane: 'inventory', kind: 'compensation' },
  ShipmentScheduled: { lane: 'shipping', kind: 'step' },
  ShipmentFailed: { lane: 'shipping', kind: 'failure' },
  ShipmentCancelled: { lane: 'shipping', kind: 'compensation' },
  OrderCompleted: { lane: 'order', kind: 'outcome' },
  OrderCancelled: { lane: 'order', kind: 'cancellation' },
};
const TERMINAL = ['COMPLETED', 'CANCELLED'];
/** As many as the stream sends on connecting. */
const SHOWN = 20;

/** The demo data that `npm run seed` loads (scripts/seed.mjs), and the README's request for each scenario. */
const ADA = '7f1c4c2e-8a55-4b8e-9a5e-2f0d3c1b6a11';
const BOB = '0b0b0b0b-1111-4222-8333-444444444444';
const CUSTOMERS = { [ADA]: 'Ada', [BOB]: 'Bob' };
const happy = {
  customerId: ADA,
  items: [{ sku: 'BOOK-1', quantity: 2 }],
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Way',
    city: 'London',
    postalCode: 'N1 9GU',
    country: 'GB',
  },
};
const SCENARIOS = {
  happy,
  declined: { ...happy, customerId: BOB },
  'out-of-stock': { ...happy, items: [{ sku: 'LAMP-1', quantity: 2 }] },
  'no-shipping': { ...happy, shippingAddress: { ...happy.shippingAddress, country: 'AQ' } },
};

/** The order service's API, relative to this page (served at /saga/), so that it works behind a path prefix too. */
const api = (path) => new URL(`../${path}`, document.baseURI);

/** Authorization headers by caller ('admin', or a customer's id), asked of the demo issuer once each. */
const tokens = new Map();

async function authorization(caller) {
  if (!tokens.has(caller)) {
    const request = caller === 'admin' ? { role: 'admin' } : { role: 'customer', customerId: caller };
    const answer = fetch(api('auth/demo-token'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`no demo token (${response.status}): this page needs the demo issuer`);
      return `Bearer ${(await response.json()).token}`;
    });
    tokens.set(caller, answer);
    answer.catch(() => tokens.delete(caller)); // asked again next time
  }
  return tokens.get(caller);
}

/** orderId -> the newest version of the order received. */
const orders = new Map();
/** orderId -> its card, with the version it shows. */
const cards = new Map();

const connection = document.getElementById('connection');
const outcome = document.getElementById('outcome');
const list = document.getElementById('orders');
const empty = document.getElementById('empty');
const announcer = document.getElementById('announcer');

/** The trace viewer's address, once the order service has named one and it answered (see findTraceViewer). */
let traceViewer = null;

listen();
findTraceViewer();
for (const button of document.querySelectorAll('[data-scenario]')) {
  button.addEventListener('click', () => place(button));
}
list.addEventListener('click', (event) => {
  const button = event.target.closest('[data-cancel]');
  if (button) cancel(button);
});

/** What each kind of event of the stream does to the page. */
const onEvent = {
  orders({ orders: list }) {
    orders.clear();
    for (const order of list) orders.set(order.orderId, order);
    render();
    setConnection('live', 'Live');
  },
  order(order) {
    const known = orders.get(order.orderId);
    if (known && known.version >= order.version) return; // never step back to an older version
    orders.set(order.orderId, order);
    render();
    if (known && known.status !== order.status && TERMINAL.includes(order.status)) {
      announcer.textContent = `Order ${short(order.orderId)} ${order.status}${order.reason ? `, ${order.reason}` : ''}`;
    }
  },
  'order-erased'({ orderId }) {
    orders.delete(orderId);
    render();
  },
};

/**
 * Reads the stream with fetch, not EventSource, which cannot send a bearer token. When it ends or fails, it
 * connects again: after 2 s if it was cut, after 5 s if the server refused it (say, 503 while it shuts down).
 */
async function listen() {
  let response;
  try {
    response = await fetch(api('orders/stream'), { headers: { authorization: await authorization('admin') } });
  } catch (error) {
    if (!(error instanceof TypeError)) say(error.message, true); // not the network: say why (no demo issuer)
    setConnection('offline', 'Offline: retrying…');
    setTimeout(listen, 5_000);
    return;
  }
  if (!response.ok) {
    if (response.status === 401) tokens.delete('admin'); // expired: ask for another
    setConnection('offline', 'Offline: retrying…');
    setTimeout(listen, 5_000);
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // A line may end in CRLF or CR too; a CR last may be half of a CRLF whose LF comes next.
      buffer += value;
      const held = buffer.endsWith('\r') ? '\r' : '';
      let text = buffer.slice(0, buffer.length - held.length).replace(/\r\n?/g, '\n');
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        dispatch(text.slice(0, end));
        text = text.slice(end + 2);
      }
      buffer = text + held;
    }
  } catch {
    // cut mid-stream: connect again below
  }
  setConnection('reconnecting', 'Reconnecting…');
  setTimeout(listen, 2_000);
}

/** One server-sent event: `event:` names it, `data:` lines carry its JSON; comments and `retry:` are skipped. */
function dispatch(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice('event: '.length);
    else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
  }
  if (data.length > 0) onEvent[event]?.(JSON.parse(data.join('\n')));
}

/**
 * Links each order to its traces when there is a trace viewer to open: the order service names it (TRACE_VIEWER_URL,
 * set by compose) and it answers, which it does when compose runs the observability profile. An opaque answer is
 * enough to know it is there: the page cannot read another origin's answer, and need not.
 */
async function findTraceViewer() {
  const settings = await fetch(api('saga/settings'))
    .then((response) => response.json())
    .catch(() => ({}));
  if (!settings.traceViewerUrl) return;
  const answers = await fetch(settings.traceViewerUrl, { mode: 'no-cors' }).then(
    () => true,
    () => false,
  );
  if (!answers) return;
  traceViewer = settings.traceViewerUrl;
  for (const shown of cards.values()) shown.version = null; // drawn again, with their links
  render();
}

/** The viewer's search for every trace of an order: the spans that worked on it carry its id (saga.order_id). */
function traceSearch(orderId) {
  const url = new URL('search', traceViewer.endsWith('/') ? traceViewer : `${traceViewer}/`);
  url.search = new URLSearchParams({
    service: 'order',
    lookback: '2d',
    tags: JSON.stringify({ 'saga.order_id': orderId }),
  });
  return url.href;
}

function setConnection(state, text) {
  connection.dataset.state = state;
  connection.textContent = text;
}

async function place(button) {
  const label = button.textContent.trim();
  button.disabled = true;
  try {
    const { customerId, ...order } = SCENARIOS[button.dataset.scenario];
    const placed = await send('POST', 'orders', order, customerId); // as its customer
    say(`Placed order ${short(placed.orderId)} (${label}). Watch its saga below.`);
  } catch (error) {
    say(`Could not place the order (${label}): ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

async function cancel(button) {
  const orderId = button.dataset.cancel;
  button.disabled = true;
  try {
    await send('POST', `orders/${orderId}/cancel`, undefined, 'admin');
    say(`Order ${short(orderId)} cancelled: each service now undoes its own step.`);
  } catch (error) {
    say(`Could not cancel order ${short(orderId)}: ${error.message}`, true);
    button.disabled = false;
  }
}

async function send(method, path, body, caller, retried = false) {
  const headers = { authorization: await authorization(caller) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(api(path), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !retried) {
    tokens.delete(caller); // expired, most likely: once more with a new one
    return send(method, path, body, caller, true);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message ?? `${response.status} ${response.statusText}`);
  return answer;
}

function say(text, isError = false) {
  outcome.textContent = text;
  outcome.classList.toggle('outcome--error', isError);
}

/** Brings the cards in line with `orders`: newest first, redrawing only the orders whose version changed. */
function render() {
  const shown = [...orders.values()]
    .sort((a, b) => b.placedAt.localeCompare(a.placedAt) || b.orderId.localeCompare(a.orderId))
    .slice(0, SHOWN);
  for (const [orderId, { element }] of cards) {
    if (!shown.some((order) => order.orderId === orderId)) {
      element.remove();
      cards.delete(orderId);
    }
  }
  let previous = null;
  for (const order of shown) {
    let shownCard = cards.get(order.orderId);
    if (shownCard?.version !== order.version) {
      const element = card(order);
      shownCard?.element.replaceWith(element);
      shownCard = { element, version: order.version };
      cards.set(order.orderId, shownCard);
    }
    const expected = previous ? previous.nextElementSibling : list.firstElementChild;
    if (expected !== shownCard.element) {
      if (previous) previous.after(shownCard.element);
      else list.prepend(shownCard.element);
    }
    previous = shownCard.element;
  }
  empty.hidden = shown.length > 0;
}

function card(order) {
  const titleId = `order-${order.orderId}`;
  const running = !TERMINAL.includes(order.status);
  return h(
    'article',
    { class: 'order', 'data-order-id': order.orderId, 'data-status': order.status, 'aria-labelledby': titleId },
    h(
      'header',
      { class: 'order-header' },
      h('h3', { id: titleId }, `Order ${short(order.orderId)}`),
      h(
        'p',
        { class: `status status--${order.status.toLowerCase()}` },
        order.status,
        order.reason ? h('span', { class: 'reason' }, order.reason) : null,
      ),
      h('p', { class: 'summary' }, summary(order)),
      traceViewer
        ? h('a', { class: 'trace', href: traceSearch(order.orderId), target: '_blank', rel: 'noopener' }, 'Trace')
        : null,
      running ? h('button', { type: 'button', class: 'cancel', 'data-cancel': order.orderId }, 'Cancel order') : null,
    ),
    timeline(order),
  );
}

function summary(order) {
  const customer = CUSTOMERS[order.customerId] ?? order.shippingAddress.name;
  const items = order.items.map((item) => `${item.quantity} × ${item.sku}`).join(', ');
  const placed = new Date(order.placedAt).toLocaleTimeString();
  return `${customer} · ${items} · ${(order.totalCents / 100).toFixed(2)} · to ${order.shippingAddress.country} · placed ${placed}`;
}

function timeline(order) {
  const start = Date.parse(order.history[0]?.at ?? order.placedAt);
  const steps = order.history.map((entry, index) => {
    const { lane, kind } = STEPS[entry.type] ?? { lane: 'order', kind: 'step' };
    const step = h(
      'li',
      { class: `step step--${kind}`, 'data-step': entry.type, 'data-lane': lane, 'data-kind': kind },
      h('span', { class: 'visually-hidden' }, `${lane}: `),
      h('span', { class: 'step-name' }, entry.type),
      marker(kind, order),
      h('time', { datetime: entry.at, title: new Date(entry.at).toLocaleString() }, elapsed(start, entry.at)),
    );
    step.style.gridColumn = String(LANES.indexOf(lane) + 1);
    step.style.gridRow = String(index + 1);
    return step;
  });
  return h(
    'div',
    { class: 'saga' },
    h('div', { class: 'lanes', 'aria-hidden': 'true' }, ...LANES.map((lane) => h('div', { class: 'lane' }, lane))),
    h('ol', { class: 'timeline', 'aria-label': `Saga of order ${short(order.orderId)}, oldest step first` }, ...steps),
  );
}

function marker(kind, order) {
  switch (kind) {
    case 'compensation':
      return h('span', { class: 'tag' }, h('span', { 'aria-hidden': 'true' }, '↩ '), 'compensation');
    case 'cancellation':
      return h('span', { class: 'tag' }, order.reason ? `cancellation: ${order.reason}` : 'cancellation');
    case 'failure':
      return h('span', { class: 'tag' }, 'failed');
    default:
      return null;
  }
}

const short = (orderId) => orderId.slice(0, 8);

function elapsed(start, at) {
  const seconds = (Date.parse(at) - start) / 1000;
  return seconds === 0 ? 'start' : `+${seconds.toFixed(2)} s`;
}

/** A new element: attributes set as given (null leaves one out), children appended as nodes or plain text. */
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(name, value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}
