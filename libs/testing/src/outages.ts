/**
 * Outages on purpose: stop the test run's Kafka broker or Postgres server, then start it again where it was, so a
 * test can watch the services ride through. Containers started by Testcontainers are stopped and started (they keep
 * their data and host ports). In the environment mode, the project's Kafka script and the Debian cluster tool
 * `pg_ctlcluster` do it, unless `SAGA_TEST_KAFKA_STOP`, `SAGA_TEST_KAFKA_START`, `SAGA_TEST_POSTGRES_STOP` and
 * `SAGA_TEST_POSTGRES_START` name other shell commands.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testInfrastructure } from './infrastructure.js';

export type InfrastructurePart = 'kafka' | 'postgres';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

/** Stops the part abruptly enough to be an outage (Postgres: fast shutdown, every connection cut). */
export const takeDown = (part: InfrastructurePart) => control(part, 'stop');

/** Starts the part again and returns once it accepts connections. */
export const bringBack = (part: InfrastructurePart) => control(part, 'start');

async function control(part: InfrastructurePart, action: 'stop' | 'start'): Promise<void> {
  const { containers } = testInfrastructure();
  if (containers) {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(containers[part]);
    await (action === 'stop' ? client.container.stop(container) : client.container.start(container));
    return;
  }
  const command =
    process.env[`SAGA_TEST_${part.toUpperCase()}_${action.toUpperCase()}`] ?? defaultCommand(part, action);
  try {
    await run('bash', ['-c', command], { cwd: root });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`could not ${action} ${part} with \`${command}\`:\n${stdout}${stderr}`, { cause: error });
  }
}

function defaultCommand(part: InfrastructurePart, action: 'stop' | 'start'): string {
  if (part === 'kafka') {
    // Only the broker that scripts/kafka.sh runs; another broker needs SAGA_TEST_KAFKA_STOP/START.
    const ours = `bash scripts/kafka.sh status >/dev/null || { echo "${unknown('Kafka broker', 'KAFKA')}"; exit 1; }`;
    return action === 'stop' ? `${ours}\nbash scripts/kafka.sh stop` : 'bash scripts/kafka.sh start';
  }
  const clusters = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (clusters.length !== 1) throw new Error(unknown('Postgres server', 'POSTGRES'));
  const options = action === 'stop' ? '-m fast' : '';
  return `pg_ctlcluster --skip-systemctl-redirect ${clusters[0]} main ${action} ${options}`;
}

const unknown = (what: string, variable: string) =>
  `this test stops and starts the ${what}, and does not know how to here: run it with Testcontainers, ` +
  `or set SAGA_TEST_${variable}_STOP and SAGA_TEST_${variable}_START to shell commands that do it`;
