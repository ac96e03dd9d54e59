/**
 * What every service shows the network beyond its routes: headers that tell a browser to trust the service's
 * pages with nothing it did not serve, and a limit on how fast one client may write.
 *
 * Why a limit on writes only: a write costs a transaction, an outbox row and the saga's work in three more
 * services, and a client that floods them delays everyone's orders; reads are cheap, and the probes and scrapes of
 * a platform (`/health/*`, `/metrics`) must never be refused. A client is its IP address: behind a proxy, that is
 * the proxy's, unless Express is told to trust it (`app.set('trust proxy', ...)`), which a deployment decides.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The headers (Helmet's defaults: a content security policy of 'self', no sniffing of content types, no framing
 * by other sites, ...), with the origins a page of the service may also call (`connectTo`).
 */
export function securityHeaders(connectTo: string[] = []) {
  return helmet({
    contentSecurityPolicy: {
      // The services speak plain HTTP (TLS, where there is some, ends at a proxy before them): a browser told to
      // upgrade every request to HTTPS would find nothing there.
      directives: { connectSrc: ["'self'", ...connectTo], upgradeInsecureRequests: null },
    },
  });
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MINUTE_MS = 60_000;
/** Clients remembered before those whose minute has passed are forgotten (at most once a minute). */
const SWEEP_AT = 10_000;

/**
 * At most `perMinute` writes (POST, PUT, PATCH, DELETE) a minute from one client, across the routes of this
 * process; the next is refused with 429 and a Retry-After header until the client's minute has passed (a fixed
 * window per client, begun by its first write). 0 turns the limit off.
 */
export function writeRateLimit(perMinute: number, now: () => number = Date.now) {
  const windows = new Map<string, { started: number; writes: number }>();
  let sweptAt = 0;
  return (request: IncomingMessage & { ip?: string }, response: ServerResponse, next: () => void): void => {
    if (perMinute === 0 || !WRITES.has(request.method ?? '')) return next();
    const client = request.ip ?? request.socket.remoteAddress ?? '';
    const at = now();
    let window = windows.get(client);
    if (!window || at - window.started >= MINUTE_MS) {
      if (windows.size >= SWEEP_AT && at - sweptAt >= MINUTE_MS) {
        sweptAt = at;
        for (const [other, { started }] of windows) if (at - started >= MINUTE_MS) windows.delete(other);
      }
      window = { started: at, writes: 0 };
      windows.set(client, window);
    }
    if (window.writes < perMinute) {
      window.writes += 1;
      return next();
    }
    const retryAfterS = Math.ceil((window.started + MINUTE_MS - at) / 1000);
    response.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfterS) });
    response.end(
      JSON.stringify({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many writes from this client: at most ${perMinute} a minute; try again in ${retryAfterS} s`,
      }),
    );
  };
}
