/**
 * The limit on writes and the security headers, on a real Nest application over HTTP (a controller of its own
 * stands for a service's routes): a flood of writes is refused without stopping reads or other clients' probes.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { securityHeaders, writeRateLimit } from './http-surface.js';

@Controller()
class SomeRoutes {
  writes = 0;
  @Post('things')
  @HttpCode(201)
  write() {
    this.writes += 1;
    return { writes: this.writes };
  }
  @Get('things')
  read() {
    return { writes: this.writes };
  }
}

const apps: INestApplication[] = [];
afterEach(async () => Promise.all(apps.splice(0).map((app) => app.close())));

@Module({ controllers: [SomeRoutes] })
class Service {}

/** The routes behind the headers and the limit, as runService puts them; `now` is the limit's clock. */
async function serve(writesPerMinute: number, now?: () => number) {
  const app = await NestFactory.create(Service, { logger: false });
  app.use(securityHeaders(['http://localhost:16686']));
  app.use(writeRateLimit(writesPerMinute, now));
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const call = async (method: 'GET' | 'POST') => {
    const response = await fetch(`http://127.0.0.1:${port}/things`, { method });
    return { status: response.status, headers: response.headers, body: (await response.json()) as object };
  };
  return { call, routes: app.get(SomeRoutes) };
}

describe('the limit on writes', () => {
  it('refuses the writes of a client beyond the limit with 429, a reason and Retry-After, and nothing done', async () => {
    const { call, routes } = await serve(3);
    for (let write = 1; write <= 3; write += 1) expect((await call('POST')).status).toBe(201);

    const refused = await call('POST');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, message: expect.stringContaining('at most 3 a minute') });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(routes.writes).toBe(3);
  });

  it('lets the client write again once its minute has passed', async () => {
    let now = 1_000_000;
    const { call, routes } = await serve(2, () => now);
    await call('POST');
    now += 30_000;
    await call('POST');
    const refused = await call('POST');
    expect({ status: refused.status, retryAfter: refused.headers.get('retry-after') }).toEqual({
      status: 429,
      retryAfter: '30',
    });
    now += 30_000; // a minute after its first write
    expect((await call('POST')).status).toBe(201);
    expect(routes.writes).toBe(3);
  });

  it('never limits reads', async () => {
    const { call } = await serve(1);
    await call('POST');
    expect((await call('POST')).status).toBe(429);
    for (let read = 0; read < 5; read += 1) expect((await call('GET')).status).toBe(200);
  });

  it('is off at 0', async () => {
    const { call } = await serve(0);
    for (let write = 0; write < 20; write += 1) expect((await call('POST')).status).toBe(201);
  });
});

describe('the security headers', () => {
  it('forbid sniffing and framing, and let a page call only its own origin and the ones named', async () => {
    const { call } = await serve(0);
    const { headers } = await call('GET');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(headers.get('x-powered-by')).toBeNull();
    const policy = headers.get('content-security-policy') ?? '';
    expect(policy).toContain("connect-src 'self' http://localhost:16686");
    expect(policy).toContain("frame-ancestors 'self'");
    expect(policy).not.toContain('upgrade-insecure-requests');
  });
});
