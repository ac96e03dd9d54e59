// Least privilege on Postgres: each service gets a database and a role of the same name (saga_order, ...) that
// owns that database and nothing else. The role cannot log in to another service's database, create databases or
// roles, or read anything it does not own; no service connects as the superuser. Idempotent: run it on every start.
//   POSTGRES_URL                 a superuser's URL, used here only (default postgres://postgres@127.0.0.1:5432/postgres)
//   SAGA_DATABASE_PREFIX         another set of names (the benchmark uses bench_)
//   <SERVICE>_DATABASE_PASSWORD  the role's password (ORDER_DATABASE_PASSWORD, ...), set again on every run; without
//                                one, the role has none, which only a server that trusts local connections accepts
// With --check it only verifies that the server answers; with --drop it drops the databases and their roles.
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

/** The role (of the same name as the database) exists, with the configured password, and no other power. */
async function ensureRole(name, password) {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  const withPassword = password ? ` PASSWORD ${client.escapeLiteral(password)}` : ' PASSWORD NULL';
  const powers = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
  await client.query(`${rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${name} ${powers}${withPassword}`);
}

/** The database exists and belongs to its role; other roles (PUBLIC) may not connect to it. */
async function ensureDatabase(name) {
  const { rows } = await client.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [
    name,
  ]);
  if (rows.length === 0) await client.query(`CREATE DATABASE ${name} OWNER ${name}`);
  else if (rows[0].owner !== name) {
    // Made by an earlier version of this script, as the superuser's: its tables belong to the superuser too.
    throw new Error(
      `database ${name} belongs to ${rows[0].owner}, not to the role ${name}: it was made by an earlier version. ` +
        'Drop it (node scripts/create-databases.mjs --drop deletes its data) and run this again.',
    );
  }
  await client.query(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC`);
  return rows.length === 0 ? 'created' : 'exists';
}

try {
  if (process.argv.includes('--check')) {
    console.log(`postgres: ready at ${new URL(serverUrl).host}`);
  } else if (process.argv.includes('--drop')) {
    for (const service of SERVICES) {
      await client.query(`DROP DATABASE IF EXISTS ${prefix}${service} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${prefix}${service}`);
      console.log(`postgres: database and role ${prefix}${service} dropped`);
    }
  } else {
    for (const service of SERVICES) {
      const name = `${prefix}${service}`;
      await ensureRole(name, process.env[`${service.toUpperCase()}_DATABASE_PASSWORD`]);
      console.log(`postgres: database ${name} ${await ensureDatabase(name)}, owned by the role ${name}`);
    }
  }
} catch (error) {
  console.error(`postgres: ${error.message}`);
  process.exitCode = 1;
} finally {
  await client.end();
}
