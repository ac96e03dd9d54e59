import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on the loopback interface, below the range the kernel hands out to
 * outgoing connections. A service that a test stops and starts again must find its port free: in that range, any
 * outgoing connection (to Kafka, to Postgres) could have taken it in the meantime.
 */
export async function freePort(): Promise<number> {
  const below = firstEphemeralPort();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 15_000 + Math.floor(Math.random() * (below - 15_000));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between 15000 and ${below}`);
}

/** Linux says where its ephemeral ports start; elsewhere 32768 is below the usual ranges. */
function firstEphemeralPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low && low > 16_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
