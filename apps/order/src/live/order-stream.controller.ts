/**
 * `GET /orders/stream`: the orders, live, as server-sent events (what the saga page listens to).
 *
 * A client first gets `orders`, the newest orders as they are now, so a page that opens or reconnects catches up;
 * then `order`, an order each time it changes, and `order-erased`.
 * Changes come from Postgres NOTIFY (persistence/order-changes.ts): every committed change, made by whichever
 * order service instance, and none that rolled back. One read per change serves every client of this process,
 * and reads run one after the other, so a client never gets an order older than the list it started from.
 * A customer's stream carries that customer's orders only, erasures included; an admin's, every order.
 * Each open stream holds a connection and a little memory for as long as it lasts, so a process serves at most
 * ORDER_STREAM_MAX_CLIENTS of them, the next told 503 to come back later, and at most MAX_STREAMS_PER_CALLER to one
 * caller (429), so that no one token fills the room.
 */
import { Controller, Get, Inject, Logger, Res, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Caller, Principal } from '@saga/platform';
import { ORDER_CONFIG, type OrderConfig } from '../config.js';
import { presentOrder } from '../http/order.responses.js';
import { OrderStore } from '../persistence/order-store.js';
import { OrderChangeListener, type OrderChangeSignal } from './order-change-listener.js';

/** How many orders a client gets on connecting: the newest. */
const STREAMED_ORDERS = 20;
/** A comment line this often keeps proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before it reconnects a dropped stream. */
const RECONNECT_MS = 2_000;
/** A client that reads slower than orders change is dropped once this much waits for it; it reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Streams one caller (one token's subject) may hold open on one instance: a few tabs, not the whole room. */
const MAX_STREAMS_PER_CALLER = 5;

/** A stream's reader: whose orders it may have (undefined: an admin's, every order), and who opened it. */
type Reader = { customerId: string | undefined; subject: string };

const message = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

@Controller('orders')
export class OrderStreamController implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OrderStreamController.name);
  private readonly clients = new Map<ServerResponse, Reader>();
  /** Reads run one at a time, in the order they were asked for. */
  private reads: Promise<void> = Promise.resolve();
  /** Orders whose read is queued and not yet begun: a further change to one of them needs no read of its own. */
  private readonly queued = new Set<string>();
  private heartbeat?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private closing = false;

  constructor(
    private readonly store: OrderStore,
    private readonly changes: OrderChangeListener,
    @Inject(ORDER_CONFIG) private readonly config: Pick<OrderConfig, 'ORDER_STREAM_MAX_CLIENTS'>,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.changes.subscribe((signal) => this.onChange(signal));
    this.heartbeat = setInterval(
      () => this.clients.forEach((_customer, client) => this.write(client, ': keep-alive\n\n')),
      HEARTBEAT_MS,
    );
  }

  /** Ends every stream: the HTTP server cannot close while one is open. Browsers reconnect, to another instance. */
  onModuleDestroy(): void {
    this.closing = true;
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    for (const client of this.clients.keys()) client.end(); // a read still under way writes to no one
    this.clients.clear();
  }

  @Get('stream')
  open(@Res() response: ServerResponse, @Caller() caller: Principal): void {
    const customerId = caller.ordersOf;
    if (this.closing) {
      response.writeHead(503, { 'retry-after': '2' }).end();
      return;
    }
    const refused = this.refusal(caller.subject);
    if (refused) {
      const body = JSON.stringify({ statusCode: refused.status, error: refused.error, message: refused.message });
      const headers = { 'retry-after': '10', 'content-type': 'application/json; charset=utf-8' };
      response.writeHead(refused.status, headers).end(body);
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no', // nginx would otherwise hold events back in its buffer
    });
    response.write(`retry: ${RECONNECT_MS}\n\n`);
    this.clients.set(response, { customerId, subject: caller.subject });
    response.on('close', () => this.clients.delete(response));
    this.enqueue(async () => message('orders', { orders: await this.newest(customerId) }), [response]);
  }

  private onChange(signal: OrderChangeSignal): void {
    if (this.clients.size === 0) return; // a client that connects later reads the list anyway
    if (signal.kind === 'resync') {
      // A list per customer who has clients, one for the admins': each audience its own.
      const audiences = new Map<string | undefined, ServerResponse[]>();
      for (const [client, { customerId }] of this.clients) {
        audiences.set(customerId, [...(audiences.get(customerId) ?? []), client]);
      }
      for (const [customerId, audience] of audiences) {
        this.enqueue(async () => message('orders', { orders: await this.newest(customerId) }), audience);
      }
      return;
    }
    const { change } = signal;
    if ('erased' in change) {
      const text = message('order-erased', { orderId: change.orderId });
      this.enqueue(async () => (client) => (this.mayHave(client, change.customerId) ? text : undefined));
      return;
    }
    if (this.queued.has(change.orderId)) return;
    this.queued.add(change.orderId);
    this.enqueue(async () => {
      this.queued.delete(change.orderId); // a change from now on must be read again
      const order = await this.store.find(change.orderId);
      if (!order) return undefined; // erased since: its own notice follows
      const text = message('order', presentOrder(order));
      return (client) => (this.mayHave(client, order.customerId) ? text : undefined);
    });
  }

  /** Whether `client` may be sent an order of `customerId`'s: that customer's stream, or an admin's. */
  private mayHave(client: ServerResponse, customerId: string): boolean {
    const reader = this.clients.get(client);
    return reader !== undefined && (reader.customerId === undefined || reader.customerId === customerId);
  }

  /** Why another stream cannot be opened for `subject` now, if it cannot. */
  private refusal(subject: string): { status: number; error: string; message: string } | undefined {
    if (this.clients.size >= this.config.ORDER_STREAM_MAX_CLIENTS) {
      const message = `this instance already streams to ${this.clients.size} clients, its most; try again shortly`;
      return { status: 503, error: 'Service Unavailable', message };
    }
    const own = [...this.clients.values()].filter((reader) => reader.subject === subject).length;
    if (own >= MAX_STREAMS_PER_CALLER) {
      const message = `you already have ${own} streams open here, the most one caller may; close one first`;
      return { status: 429, error: 'Too Many Requests', message };
    }
    return undefined;
  }

  /**
   * Queues `read`, to send what it returns to `audience`: by default the clients connected now, whose own list
   * is queued before this read (a client that connects later reads a list that already holds the change). A read
   * may return, instead of one text for all, what each client gets (undefined: nothing).
   * When the read fails, the audience's streams end: they reconnect, and catch up from the list.
   */
  private enqueue(
    read: () => Promise<string | ((client: ServerResponse) => string | undefined) | undefined>,
    audience = [...this.clients.keys()],
  ): void {
    this.reads = this.reads.then(async () => {
      try {
        const text = await read();
        for (const client of audience) {
          const forClient = typeof text === 'function' ? text(client) : text;
          if (forClient !== undefined) this.write(client, forClient);
        }
      } catch (error) {
        this.logger.warn(`order stream: a read failed (${(error as Error).message}); its clients will reconnect`);
        audience.forEach((client) => client.end());
      }
    });
  }

  private async newest(customerId?: string) {
    const { orders } = await this.store.list(STREAMED_ORDERS, 0, customerId);
    return orders.map(presentOrder);
  }

  private write(client: ServerResponse, text: string): void {
    if (!this.clients.has(client) || client.writableEnded) return; // gone since the read was queued
    client.write(text);
    if (client.writableLength > MAX_BUFFERED_BYTES) {
      this.logger.warn('order stream: dropping a client that does not keep up; it will reconnect and catch up');
      client.destroy();
    }
  }
}
