/**
 * Least privilege on Postgres, as the local mode, the benchmark and compose provision it
 * (scripts/create-databases.mjs): each service's role owns its database and can do nothing else, so a service
 * that is compromised, or simply wrong, cannot read or change another's data, nor make roles or databases.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseUrl, testInfrastructure } from '@saga/testing';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';

const SERVICES = ['order', 'payment', 'inventory', 'shipping'];
const script = new URL('../../scripts/create-databases.mjs', import.meta.url).pathname;
const serverUrl = () => testInfrastructure().postgresUrl;
const prefix = `lp_${randomBytes(3).toString('hex')}_`;
const passwords = Object.fromEntries(SERVICES.map((service) => [service, randomBytes(9).toString('hex')]));

/** Runs the script on the test server with the names `prefixOf` (and, for `prefix`, the roles' passwords). */
async function createDatabases(args: string[] = [], prefixOf = prefix) {
  const env = {
    PATH: process.env.PATH ?? '',
    POSTGRES_URL: serverUrl(),
    SAGA_DATABASE_PREFIX: prefixOf,
    ...Object.fromEntries(
      SERVICES.map((service) => [`${service.toUpperCase()}_DATABASE_PASSWORD`, passwords[service]]),
    ),
  };
  return promisify(execFile)(process.execPath, [script, ...args], { env }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
}

/** Runs `sql` connected as `service`'s role, to `database` (its own unless told). */
async function asRole<Row>(service: string, sql: string, database = `${prefix}${service}`): Promise<Row[]> {
  const url = new URL(databaseUrl(serverUrl(), database));
  url.username = `${prefix}${service}`;
  url.password = passwords[service]!;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

async function asSuperuser<Row>(sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  // Twice: it runs on every start, so it must find its own work done and change nothing.
  expect((await createDatabases()).code).toBe(0);
  expect((await createDatabases()).code).toBe(0);
});

afterAll(async () => {
  await createDatabases(['--drop']);
});

describe('scripts/create-databases.mjs', () => {
  it.each(SERVICES)('gives %s a role that owns its database, where it may create its tables', async (service) => {
    const [owner] = await asSuperuser<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [`${prefix}${service}`],
    );
    expect(owner).toEqual({ owner: `${prefix}${service}` });
    await asRole(service, 'CREATE TABLE its_own (id int); DROP TABLE its_own');
  });

  it.each(SERVICES)('gives %s no power beyond its database: not superuser, no roles, no databases', async (service) => {
    const [powers] = await asRole(
      service,
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
       FROM pg_roles WHERE rolname = current_user`,
    );
    expect(powers).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolbypassrls: false,
    });
    await expect(asRole(service, `CREATE DATABASE ${prefix}stolen`)).rejects.toThrow(/permission denied/);
    await expect(asRole(service, `CREATE ROLE ${prefix}stolen`)).rejects.toThrow(/permission denied/);
  });

  it("refuses a service's role at another service's database", async () => {
    for (const service of SERVICES) {
      for (const other of SERVICES.filter((name) => name !== service)) {
        await expect(asRole(service, 'SELECT 1', `${prefix}${other}`)).rejects.toThrow(
          /permission denied for database/,
        );
      }
    }
  });

  it('refuses, naming the fix, a database that an earlier version made as the superuser', async () => {
    const other = `lp_${randomBytes(3).toString('hex')}_`;
    await asSuperuser(`CREATE DATABASE ${other}order`);
    try {
      const { code, output } = await createDatabases([], other);
      expect(code).toBe(1);
      expect(output).toContain(`database ${other}order belongs to`);
      expect(output).toContain('--drop');
    } finally {
      await createDatabases(['--drop'], other);
    }
  });

  it('drops the databases and their roles with --drop', async () => {
    const dropped = `lp_${randomBytes(3).toString('hex')}_`;
    expect((await createDatabases([], dropped)).code).toBe(0);
    expect((await createDatabases(['--drop'], dropped)).code).toBe(0);
    const left = await asSuperuser(
      `SELECT datname AS name FROM pg_database WHERE datname LIKE $1
       UNION ALL SELECT rolname FROM pg_roles WHERE rolname LIKE $1`,
      [`${dropped}%`],
    );
    expect(left).toEqual([]);
  });
});
