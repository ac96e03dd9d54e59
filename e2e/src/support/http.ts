/** Small JSON-over-HTTP helpers that keep the scenarios readable. */
import { issueDemoToken } from '@saga/platform';

export type JsonResponse<T = Record<string, unknown>> = { status: number; body: T };

/** The audience every service expects by default (AUTH_AUDIENCE). */
const AUDIENCE = 'kafka-order-saga';

/** A bearer token of the demo issuer: an admin's, or a customer's (customer: its id). */
export async function tokenFor(caller: 'admin' | { customer: string }): Promise<string> {
  const request =
    caller === 'admin'
      ? ({ role: 'admin', subject: 'e2e-admin' } as const)
      : ({ role: 'customer', customerId: caller.customer } as const);
  return `Bearer ${(await issueDemoToken(request, { audience: AUDIENCE })).token}`;
}

/**
 * A request as the scenarios' operator: an admin, unless `headers` carry an Authorization of their own (a
 * customer's token, say; '' sends none).
 */
export async function request<T = Record<string, unknown>>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const { authorization = await tokenFor('admin'), ...others } = headers;
  const sent = authorization ? { ...others, authorization } : others;
  const response = await fetch(url, {
    method,
    headers: body === undefined ? sent : { 'content-type': 'application/json', ...sent },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
