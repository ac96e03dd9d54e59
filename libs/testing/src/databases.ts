import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database URL on the same server as `serverUrl`, naming another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(serverUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The superuser's URL of the server each database was made on, by the URL handed out for it. */
const madeOn = new Map<string, string>();

/**
 * Creates a fresh, uniquely named database (`<prefix>_<random>`) owned by a role of the same name, as
 * scripts/create-databases.mjs makes them for the services, and returns that role's URL: what runs on it runs with
 * a service's privileges, not the superuser's.
 */
export async function createDatabase(serverUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await withAdmin(serverUrl, async (client) => {
    await client.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}'`);
    await client.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
    await client.query(`REVOKE ALL ON DATABASE "${name}" FROM PUBLIC`);
  });
  const url = new URL(databaseUrl(serverUrl, name));
  url.username = name;
  url.password = password;
  madeOn.set(url.toString(), serverUrl);
  return url.toString();
}

/** Drops a database that createDatabase made, and its role. */
export async function dropDatabase(url: string): Promise<void> {
  const serverUrl = madeOn.get(url);
  if (!serverUrl) throw new Error(`dropDatabase: ${new URL(url).pathname} was not made by createDatabase`);
  const name = new URL(url).pathname.slice(1);
  await withAdmin(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS "${name}"`);
  });
  madeOn.delete(url);
}
