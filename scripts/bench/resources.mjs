// CPU and memory of everything the saga runs on. The services report their own (process_cpu_seconds_total and
// process_resident_memory_bytes on /metrics, in either mode). The broker and Postgres are read from /proc in the
// local mode (Postgres as the sum of its processes, memory as their proportional share, so that shared buffers
// count once), and from `docker stats` in the compose mode.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** Per service instance (name -> /metrics url): CPU seconds so far and resident bytes now. */
export async function scrapeProcesses(instances) {
  const result = {};
  await Promise.all(
    Object.entries(instances).map(async ([name, url]) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      result[name] = {
        text,
        cpuSeconds: metricValue(text, 'process_cpu_seconds_total'),
        rssBytes: metricValue(text, 'process_resident_memory_bytes'),
      };
    }),
  );
  return result;
}

const metricValue = (text, name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

/** The broker's and Postgres's CPU seconds so far and memory now, from /proc (local mode). */
export function readInfrastructure() {
  const kafka = { cpuSeconds: 0, rssBytes: 0 };
  const postgres = { cpuSeconds: 0, rssBytes: 0 };
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const target = command.includes('kafka.Kafka') ? kafka : comm === 'postgres' ? postgres : undefined;
      if (!target) continue;
      // utime and stime: fields 14 and 15, counted after the command name's closing parenthesis.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      target.cpuSeconds += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      target.rssBytes += Number(pss?.[1] ?? 0) * 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  return { kafka, postgres };
}

/** The broker's and Postgres's containers (compose mode): CPU share and memory now, as `docker stats` sees them. */
export function dockerStats() {
  const lines = execFileSync('docker', ['stats', '--no-stream', '--format', '{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}'])
    .toString()
    .trim()
    .split('\n');
  const result = {};
  for (const line of lines) {
    const [name, cpu, memory] = line.split('\t');
    // Compose names containers <project>-<service>-<n>; the Kafka UI is not the broker.
    const role = /-(kafka|postgres)-\d+$/.exec(name)?.[1];
    if (!role) continue;
    const [amount, unit] = /^([\d.]+)(\w+)/.exec(memory).slice(1);
    const bytes = Number(amount) * { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[unit];
    result[role] = { cpuShare: Number(cpu.replace('%', '')) / 100, rssBytes: bytes };
  }
  return result;
}
