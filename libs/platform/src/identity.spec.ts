/**
 * The bearer-token check on a real Nest application over HTTP, with the demo issuer's keys: each way a token can
 * be missing, forged or wrong is refused with its status and reason, and the route behind it never runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { SignJWT, generateKeyPair } from 'jose';
import type { AddressInfo } from 'node:net';
import { DEMO_ISSUER, demoKeys, issueDemoToken, signWithDemoKey } from './demo-issuer.js';
import { BearerTokenGuard, Caller, Principal, Public, Roles } from './identity.js';

const AUDIENCE = 'kafka-order-saga';
const ADA = '7f1c4c2e-8a55-4b8e-9a5e-2f0d3c1b6a11';
const ran: string[] = [];

@Controller()
class Routes {
  @Get('mine')
  mine(@Caller() caller: Principal) {
    ran.push('mine');
    return { subject: caller.subject, roles: caller.roles };
  }
  @Post('shop')
  @Roles('admin')
  shop() {
    ran.push('shop');
    return {};
  }
  @Get('admin/anything')
  anything() {
    ran.push('admin');
    return {};
  }
  @Get('admin/open')
  @Public() // ignored: an admin route is never public
  notOpen() {
    ran.push('admin');
    return {};
  }
  @Get('open')
  @Public()
  open() {
    return {};
  }
}

@Module({
  controllers: [Routes],
  providers: [
    {
      provide: APP_GUARD,
      useFactory: (reflector: Reflector) =>
        new BearerTokenGuard(reflector, {
          keys: demoKeys,
          issuer: DEMO_ISSUER,
          audience: AUDIENCE,
          rolesClaim: 'roles',
        }),
      inject: [Reflector],
    },
  ],
})
class Service {}

let app: INestApplication;
let base: string;
beforeAll(async () => {
  app = await NestFactory.create(Service, { logger: false });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});
afterAll(() => app?.close());

async function call(path: string, authorization?: string, method = 'GET') {
  const response = await fetch(`${base}${path}`, { method, headers: authorization ? { authorization } : {} });
  return { status: response.status, body: (await response.json()) as { message?: string } };
}
const bearer = (token: string) => `Bearer ${token}`;
const adaToken = () => issueDemoToken({ role: 'customer', customerId: ADA }, { audience: AUDIENCE });
const adminToken = () => issueDemoToken({ role: 'admin', subject: 'demo-admin' }, { audience: AUDIENCE });

/** `token` with its payload replaced after signing. */
function tampered(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe('the bearer token check', () => {
  const now = Math.floor(Date.now() / 1000);
  const adaClaims = { iss: DEMO_ISSUER, aud: AUDIENCE, sub: ADA, roles: ['customer'], iat: now, exp: now + 600 };

  it('lets a valid token through, with the caller it names', async () => {
    expect(await call('/mine', bearer((await adaToken()).token))).toEqual({
      status: 200,
      body: { subject: ADA, roles: ['customer'] },
    });
  });

  it.each([
    ['no Authorization header', async () => undefined, 401, /needs a bearer token/],
    ['another scheme', async () => 'Basic YWRhOnB3', 401, /must be "Bearer "/],
    ['a token that is not a JWT', async () => bearer('not-a-token'), 401, /must be "Bearer "/],
    [
      'a tampered payload (a customer made admin)',
      async () => bearer(tampered((await adaToken()).token, { ...adaClaims, roles: ['admin'] })),
      401,
      /signature does not verify/,
    ],
    [
      'a token signed by another key',
      async () =>
        bearer(
          await new SignJWT(adaClaims)
            .setProtectedHeader({ alg: 'ES256', kid: 'demo-1' })
            .sign((await generateKeyPair('ES256')).privateKey),
        ),
      401,
      /signature does not verify/,
    ],
    [
      'an expired token',
      async () => bearer(await signWithDemoKey({ ...adaClaims, iat: now - 7200, exp: now - 3600 })),
      401,
      /expired/,
    ],
    [
      'a token of another issuer',
      async () => bearer(await signWithDemoKey({ ...adaClaims, iss: 'someone' })),
      401,
      /"iss" claim/,
    ],
    [
      'a token for another system',
      async () => bearer(await signWithDemoKey({ ...adaClaims, aud: 'another' })),
      401,
      /"aud" claim/,
    ],
    [
      'a token that never expires',
      async () => {
        const { exp: _never, ...claims } = adaClaims;
        return bearer(await signWithDemoKey(claims));
      },
      401,
      /"exp" claim/,
    ],
    [
      'a token without a role this system knows',
      async () => bearer(await signWithDemoKey({ ...adaClaims, roles: ['superuser'] })),
      403,
      /no role this system knows/,
    ],
    [
      "a customer's token whose subject is not a customer id",
      async () => bearer(await signWithDemoKey({ ...adaClaims, sub: 'ada@example.com' })),
      403,
      /customer's id/,
    ],
  ])('refuses %s', async (_case, authorization, status, reason) => {
    ran.length = 0;
    const answer = await call('/mine', await authorization());
    expect(answer.status).toBe(status);
    expect(answer.body.message).toMatch(reason);
    expect(ran).toEqual([]);
  });

  it('refuses a customer on a route for admins, by its role or by its /admin/ path, and lets an admin in', async () => {
    ran.length = 0;
    const ada = bearer((await adaToken()).token);
    expect(await call('/shop', ada, 'POST')).toMatchObject({
      status: 403,
      body: { message: expect.stringMatching(/role admin/) },
    });
    expect(await call('/admin/anything', ada)).toMatchObject({ status: 403 });
    expect(await call('/ADMIN/Anything', ada)).toMatchObject({ status: 403 }); // Express ignores the case
    expect(await call('/admin/open', ada)).toMatchObject({ status: 403 });
    expect(await call('/admin/open')).toMatchObject({ status: 401 });
    expect(ran).toEqual([]);
    const admin = bearer((await adminToken()).token);
    expect((await call('/shop', admin, 'POST')).status).toBe(201);
    expect((await call('/admin/anything', admin)).status).toBe(200);
  });

  it('answers a public route without a token', async () => {
    expect((await call('/open')).status).toBe(200);
  });
});
