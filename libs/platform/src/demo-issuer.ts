/**
 * The demo's identity provider, so that the local mode and compose start with one command and no account
 * anywhere: it signs tokens with the key pair below, which is published in this repository. Anyone can therefore
 * sign an admin's token for a system that trusts it, which is why a service started with
 * SAGA_DEPLOYMENT=production refuses to run without a real provider (AUTH_JWKS_URL, AUTH_ISSUER).
 *
 * Each service holds the same key and answers `POST /auth/demo-token` (in demo mode only), so a script asks
 * whichever service it talks to first: `npm run token -- ada` prints a token for the demo customer Ada.
 */
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { createLocalJWKSet, importJWK, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { Public } from './identity.js';

export const DEMO_ISSUER = 'urn:kafka-order-saga:demo-issuer';

/** Published on purpose: see above. Never trust it outside a demo. */
const demoKey = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'demo-1',
  alg: 'ES256',
  x: 'bvSnujO4BHhzFhhS6d3hKr60E_AMDLgyv7_FPiv3Fck',
  y: '6SwHlYtyNwT4laCXfnNRbohE08Yvny80FuW0mkVPLAM',
  d: 'axsZw1Nv7I9dMC--SldJNfNwPZIw6IyGYCBYGPEOTko',
};

/** The demo issuer's public key, as a JWKS would publish it. */
const { d: _private, ...demoPublicKey } = demoKey;
export const demoKeys = createLocalJWKSet({ keys: [demoPublicKey] });

const demoTokenRequest = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('admin'), subject: z.string().min(1).max(100).default('demo-admin') }),
  z.strictObject({ role: z.literal('customer'), customerId: z.uuid() }),
]);

export type DemoTokenRequest = z.output<typeof demoTokenRequest>;

const demoTokenResponse = z.object({ token: z.string(), expiresAt: z.iso.datetime() });

/** Any claims, signed with the demo key: the demo's tokens, and the odd ones a test needs. */
export async function signWithDemoKey(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: demoKey.alg, kid: demoKey.kid, typ: 'JWT' })
    .sign(await importJWK(demoKey, demoKey.alg));
}

/** A token of the demo issuer: for an admin, or for the customer `customerId`. */
export async function issueDemoToken(
  request: DemoTokenRequest,
  { audience, lifetimeS = 8 * 60 * 60, now = Date.now() }: { audience: string; lifetimeS?: number; now?: number },
): Promise<{ token: string; expiresAt: string }> {
  const issuedAt = Math.floor(now / 1000);
  const token = await signWithDemoKey({
    iss: DEMO_ISSUER,
    aud: audience,
    sub: request.role === 'customer' ? request.customerId : request.subject,
    roles: [request.role],
    iat: issuedAt,
    exp: issuedAt + lifetimeS,
  });
  return { token, expiresAt: new Date((issuedAt + lifetimeS) * 1000).toISOString() };
}

export const DEMO_AUDIENCE = Symbol('DEMO_AUDIENCE');

/** `POST /auth/demo-token`: in demo mode only (SagaServiceModule leaves it out otherwise). */
@Controller('auth')
export class DemoTokenController {
  constructor(@Inject(DEMO_AUDIENCE) private readonly audience: string) {}

  /** Signs a token for the demo: `{"role":"customer","customerId":"…"}` or `{"role":"admin"}`. Demo mode only. */
  @Post('demo-token')
  @Public()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'A token, valid for 8 hours', standardSchema: demoTokenResponse })
  async issue(@Body({ schema: demoTokenRequest }) request: DemoTokenRequest) {
    return issueDemoToken(request, { audience: this.audience });
  }
}
