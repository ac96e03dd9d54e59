// Creates one database per service on the Postgres server at POSTGRES_URL (idempotent).
// With --check it only verifies that the server answers; with --drop it drops them (and everything in them).
// They are saga_order, saga_payment, ...; SAGA_DATABASE_PREFIX names another set (the benchmark uses bench_).
import pg from 'pg';

export const SERVICES = ['order', 'payment', 'inventory', 'shipping'];
const serverUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const prefix = process.env.SAGA_DATABASE_PREFIX ?? 'saga_';
if (!/^[a-z_][a-z0-9_]*$/.test(prefix))
  throw new Error(`SAGA_DATABASE_PREFIX "${prefix}" must be lower case letters, digits and _`);
const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });

try {
  await client.connect();
} catch (error) {
  const { host } = new URL(serverUrl);
  console.error(`postgres: cannot connect to ${host} (${error.message}). Start Postgres, or set POSTGRES_URL.`);
  process.exit(1);
}
try {
  if (process.argv.includes('--check')) {
    console.log(`postgres: ready at ${new URL(serverUrl).host}`);
  } else if (process.argv.includes('--drop')) {
    for (const service of SERVICES) {
      await client.query(`DROP DATABASE IF EXISTS ${prefix}${service} WITH (FORCE)`);
      console.log(`postgres: database ${prefix}${service} dropped`);
    }
  } else {
    for (const service of SERVICES) {
      const name = `${prefix}${service}`;
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
      console.log(`postgres: database ${name} ${rowCount === 0 ? 'created' : 'exists'}`);
    }
  }
} finally {
  await client.end();
}
