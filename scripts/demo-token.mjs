// Demo tokens, from the demo issuer every service runs in demo mode (POST /auth/demo-token; see
// libs/platform/src/demo-issuer.ts). The scripts use it, and so can you:
//   npm run token -- ada | bob | admin | <a customer's UUID>      prints a bearer token (valid 8 hours)
//   curl -H "authorization: Bearer $(npm run -s token -- ada)" http://127.0.0.1:3001/orders
// ORDER_URL (default http://127.0.0.1:3001) names the service to ask; any of the four would do. The admin scripts
// (seed, rebuild-view, republish-snapshots) take SAGA_TOKEN instead when it is set: a token of your own provider.
import { pathToFileURL } from 'node:url';

/** The demo data's customers (scripts/seed.mjs gives them their credit). */
export const DEMO_CUSTOMERS = {
  ada: '7f1c4c2e-8a55-4b8e-9a5e-2f0d3c1b6a11',
  bob: '0b0b0b0b-1111-4222-8333-444444444444',
};

/** A token from the service at `serviceUrl`, for `who`: 'admin', a demo customer's name, or a customer's UUID. */
export async function demoToken(serviceUrl, who) {
  const customerId = DEMO_CUSTOMERS[who] ?? who;
  const request = who === 'admin' ? { role: 'admin' } : { role: 'customer', customerId };
  const response = await fetch(`${serviceUrl}/auth/demo-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    throw new Error(
      `${serviceUrl}/auth/demo-token answered ${response.status}: ${await response.text()} ` +
        '(demo tokens exist in demo mode only, not with SAGA_DEPLOYMENT=production or AUTH_JWKS_URL)',
    );
  }
  return (await response.json()).token;
}

/** The Authorization header for an admin script: SAGA_TOKEN when set, else a demo admin's token. */
export async function adminAuthorization(serviceUrl) {
  return `Bearer ${process.env.SAGA_TOKEN ?? (await demoToken(serviceUrl, 'admin'))}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const who = process.argv[2];
  if (!who) {
    console.error('usage: npm run token -- ada | bob | admin | <customer UUID>');
    process.exit(2);
  }
  try {
    console.log(await demoToken(process.env.ORDER_URL ?? 'http://127.0.0.1:3001', who));
  } catch (error) {
    console.error(`token: ${error.message}. Is the system running (npm run local:up)?`);
    process.exit(1);
  }
}
