/**
 * The order stream's promises to a client, with the database and the connection replaced by stand-ins: the list
 * first, then changes never older than that list; a failed read or a shutdown ends the stream (the browser
 * reconnects and catches up from a new list).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { anOrder } from '@saga/testing';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Principal } from '@saga/platform';
import { order, type Order } from '../domain/order.js';
import type { OrderStore } from '../persistence/order-store.js';
import type { OrderChangeListener, OrderChangeSignal } from './order-change-listener.js';
import { OrderStreamController } from './order-stream.controller.js';

/** The one order of these tests, at `version`. */
const placed = anOrder({ orderId: '3f9e0a4c-2b1d-4c8e-9f00-1a2b3c4d5e6f' }).placed(
  new Date('2026-03-01T10:00:00.000Z'),
);
const theOrder = (version = 1): Order => ({ ...order.evolve(null, placed)!, version });
const admin = new Principal('an-admin', ['admin']);
const customer = (id: string) => new Principal(id, ['customer']);
const someoneElse = '0d5c1f2e-7a3b-4c9d-8e1f-2a3b4c5d6e7f';

/** What a client received: the events' names and the versions of the orders in them. */
class FakeResponse extends EventEmitter {
  readonly received: string[] = [];
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  status?: number;
  body = '';
  writeHead(status: number) {
    this.status = status;
    return this;
  }
  write(text: string) {
    const event = /^event: (.+)\ndata: (.+)\n\n$/.exec(text);
    if (!event) return true;
    const data = JSON.parse(event[2]!);
    const versions = event[1] === 'orders' ? data.orders.map((order: Order) => order.version).join(',') : data.version;
    this.received.push(`${event[1]} ${versions}`);
    return true;
  }
  end(body = '') {
    this.body = body;
    this.writableEnded = true;
    this.emit('close');
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

const streams: OrderStreamController[] = [];
afterEach(() => streams.splice(0).forEach((stream) => stream.onModuleDestroy()));

/** A stream with a store whose reads finish when the test says so, in the order the test says. */
function aStream({ maxClients = 10 } = {}) {
  let notify!: (signal: OrderChangeSignal) => void;
  const lists: ReturnType<typeof deferred<{ orders: Order[]; total: number }>>[] = [];
  /** Whose orders each list read asked for (undefined: everyone's). */
  const listedFor: (string | undefined)[] = [];
  const finds: ReturnType<typeof deferred<Order | null>>[] = [];
  const store = {
    list: (_limit: number, _offset: number, customerId?: string) => (
      listedFor.push(customerId),
      lists.push(deferred()),
      lists.at(-1)!.promise
    ),
    find: () => (finds.push(deferred()), finds.at(-1)!.promise),
  };
  const listener = { subscribe: (subscriber: typeof notify) => ((notify = subscriber), () => undefined) };
  const stream = new OrderStreamController(store as unknown as OrderStore, listener as unknown as OrderChangeListener, {
    ORDER_STREAM_MAX_CLIENTS: maxClients,
  });
  stream.onModuleInit();
  streams.push(stream);
  /** Lets every read that can run, run. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const connect = async (caller = admin) => {
    const response = new FakeResponse();
    stream.open(response as unknown as ServerResponse, caller);
    await settle();
    return response;
  };
  const changed = (version: number) => notify({ kind: 'change', change: { orderId: theOrder().id, version } });
  const erased = () =>
    notify({ kind: 'change', change: { orderId: theOrder().id, erased: true, customerId: theOrder().customerId } });
  /** Connects each caller in turn, its list (empty) read before the next connects. */
  const connectAll = async (...callers: Principal[]) => {
    const clients: FakeResponse[] = [];
    for (const caller of callers) {
      clients.push(await connect(caller));
      lists.at(-1)!.resolve({ orders: [], total: 0 });
      await settle();
    }
    return clients;
  };
  return { stream, connect, connectAll, changed, erased, lists, finds, settle, listedFor };
}

describe('the order stream', () => {
  it('sends a client the newest orders first, then each change, read after its notification', async () => {
    const { connect, changed, lists, finds, settle } = aStream();
    const client = await connect();
    lists[0]!.resolve({ orders: [theOrder(1)], total: 1 });
    await settle();

    changed(2);
    await settle();
    finds[0]!.resolve(theOrder(2));
    await settle();

    expect(client.received).toEqual(['orders 1', 'order 2']);
  });

  it('never sends a change before the list it may be newer than: reads are answered in the order they were asked', async () => {
    const { connect, changed, lists, finds, settle } = aStream();
    const client = await connect(); // its list is being read...
    changed(2); // ...when the order changes
    await settle();
    expect(finds).toHaveLength(0); // the change waits for the list

    lists[0]!.resolve({ orders: [theOrder(1)], total: 1 });
    await settle();
    finds[0]!.resolve(theOrder(2));
    await settle();

    expect(client.received).toEqual(['orders 1', 'order 2']);
  });

  it('reads an order once for all its clients, and once for changes that come before the read begins', async () => {
    const { connect, changed, lists, finds, settle } = aStream();
    const [first, second] = [await connect(), await connect()];
    changed(2);
    changed(3);
    lists[0]!.resolve({ orders: [theOrder(1)], total: 1 });
    await settle();
    lists[1]!.resolve({ orders: [theOrder(1)], total: 1 });
    await settle();
    finds[0]!.resolve(theOrder(3));
    await settle();

    expect(finds).toHaveLength(1);
    expect(first.received).toEqual(['orders 1', 'order 3']);
    expect(second.received).toEqual(['orders 1', 'order 3']);
  });

  it('ends the streams when a read fails, so that their browsers reconnect and catch up', async () => {
    const { connect, changed, lists, finds, settle } = aStream();
    const client = await connect();
    lists[0]!.resolve({ orders: [theOrder(1)], total: 1 });
    await settle();
    changed(2);
    await settle();
    finds[0]!.reject(new Error('the database is down'));
    await settle();

    expect(client.writableEnded).toBe(true);
  });

  it('ends every stream on shutdown, which the HTTP server waits for, and turns new ones away', async () => {
    const { stream, connect, lists } = aStream();
    const client = await connect();
    lists[0]!.resolve({ orders: [], total: 0 });

    stream.onModuleDestroy();

    expect(client.writableEnded).toBe(true);
    const late = await connect();
    expect(late.writableEnded).toBe(true);
    expect(lists).toHaveLength(1);
  });

  it('serves at most ORDER_STREAM_MAX_CLIENTS streams at once, telling the next to come back, and one more when one closes', async () => {
    const { connect, lists, settle } = aStream({ maxClients: 2 });
    const [first, second] = [await connect(), await connect()];
    lists[0]!.resolve({ orders: [], total: 0 });
    await settle();
    const refused = await connect();
    expect({ status: refused.status, ended: refused.writableEnded }).toEqual({ status: 503, ended: true });
    expect(JSON.parse(refused.body).message).toMatch(/already streams to 2 clients/);
    expect(lists).toHaveLength(2); // no read for a client turned away

    first.end(); // a browser leaves
    const next = await connect();
    expect({ status: next.status, ended: next.writableEnded }).toEqual({ status: 200, ended: false });
    expect(second.writableEnded).toBe(false);
  });

  it("sends a customer's stream that customer's orders only, and an admin's every order", async () => {
    const { connectAll, changed, finds, settle, listedFor } = aStream();
    const clients = await connectAll(admin, customer(theOrder().customerId), customer(someoneElse));
    expect(listedFor).toEqual([undefined, theOrder().customerId, someoneElse]);

    changed(2);
    await settle();
    finds[0]!.resolve(theOrder(2));
    await settle();

    const [adminStream, ownerStream, otherStream] = clients;
    expect(adminStream!.received).toEqual(['orders ', 'order 2']);
    expect(ownerStream!.received).toEqual(['orders ', 'order 2']);
    expect(otherStream!.received).toEqual(['orders ']);
  });

  it("tells a customer's stream of its own erasures only", async () => {
    const { connectAll, erased, settle } = aStream();
    const clients = await connectAll(admin, customer(theOrder().customerId), customer(someoneElse));
    erased();
    await settle();

    expect(clients.map((client) => client.received.at(-1))).toEqual([
      'order-erased undefined',
      'order-erased undefined',
      'orders ',
    ]);
  });

  it('serves one caller at most five streams (429), while others still get theirs', async () => {
    const { connect, lists, settle } = aStream({ maxClients: 100 });
    const ada = customer(theOrder().customerId);
    for (let tab = 0; tab < 5; tab += 1) {
      const open = await connect(ada);
      lists.at(-1)!.resolve({ orders: [], total: 0 });
      await settle();
      expect(open.status).toBe(200);
    }
    const sixth = await connect(ada);
    expect({ status: sixth.status, message: JSON.parse(sixth.body).message }).toEqual({
      status: 429,
      message: expect.stringMatching(/already have 5 streams/),
    });
    expect((await connect(admin)).status).toBe(200);
  });
});
