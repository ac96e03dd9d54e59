// The benchmark's report: a table for the terminal, and the measured part of docs/benchmarks.md (between the
// markers below; what is around them is written by hand and kept) with an SVG chart of latency against load.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import prettier from 'prettier';
import { ms, perSecond } from './stats.mjs';

const BEGIN = '<!-- bench:begin (written by npm run bench; edit around it) -->';
const END = '<!-- bench:end -->';
const HOPS = ['relay_wait', 'publish', 'delivery', 'handler', 'offset_commit'];
const TARGETS = { p50Ms: 40, p99Ms: 150, atRate: 20, sagasPerSecond: 100, relayShare: 0.7, rssMb: 200 };

/** Formatted as the repository formats its files, so that a new report passes `npm run lint` as written. */
async function writeFormatted(file, text) {
  const options = await prettier.resolveConfig(file);
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

export async function writeReport({ settings, machine, floors, relay, runs, sustainedRule }) {
  const chartFile = join(dirname(settings.out), basename(settings.out, '.md'), 'latency.svg');
  mkdirSync(dirname(chartFile), { recursive: true });
  writeFileSync(chartFile, latencyChart(runs));
  const results = { settings, machine, floors, relay, runs };
  await writeFormatted(join(dirname(chartFile), 'results.json'), JSON.stringify(results));
  const section = [
    settingsSection(settings, machine, sustainedRule),
    floorsSection(floors, relay),
    latencySection(runs, `${basename(settings.out, '.md')}/latency.svg`),
    targetsSection(floors, relay, runs),
    ...runs.map((run) => hopsSection(run)),
    ...runs.map((run) => resourcesSection(run)),
  ].join('\n\n');
  const previous = existsSync(settings.out) ? readFileSync(settings.out, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const [head, rest] = previous.includes(BEGIN) ? previous.split(BEGIN) : [`${previous}\n`, END];
  const tail = rest.includes(END) ? rest.slice(rest.indexOf(END) + END.length) : '\n';
  await writeFormatted(settings.out, `${head}${BEGIN}\n\n${section}\n\n${END}${tail}`);
  return { table: terminalTable(floors, relay, runs) };
}

function settingsSection(settings, machine, rule) {
  return [
    '### The run',
    '',
    `- Machine: ${machine.cpus}, ${machine.memory}, ${machine.os}; everything on it: the broker, Postgres, the ` +
      `services and the load.`,
    `- Versions: Node ${machine.node}, Kafka ${machine.kafka}, ${machine.postgres}; commit ${machine.commit}; ${machine.date}.`,
    `- Mode: ${settings.mode}; instances of each service: ${settings.instances.join(' and ')}.`,
    `- Before the first load, ${settings.primeS} s at that load, not counted: the broker's and the services' JIT ` +
      `compile the hot paths as load arrives (a cold broker spends more CPU compiling than serving).`,
    `- Each load: ${settings.warmupS} s of warm-up (not counted), then ${settings.holdS} s counted, then up to ` +
      `${settings.drainS} s for the last orders to end. Orders are placed on a fixed schedule (open loop), each ` +
      `for a new customer, one unit of a SKU with stock for all: every saga takes the happy path.`,
    `- A load is *sustained* when at least ${rule.endedShare * 100}% of its orders ended, 99% of them within ` +
      `${rule.p99Ms / 1000} s, and the load generator kept ${rule.offeredShare * 100}% of the schedule. The ` +
      `ladder stops after the first load that is not.`,
    `- Floors: ${settings.floorSeconds} s each; the relay drains ${settings.relayRows} rows.`,
  ].join('\n');
}

function floorsSection(floors, relay) {
  const rows = [
    [
      'Plain kafkajs producer (idempotent, acks=all, batches of 500 × ~500 B)',
      `${perSecond(floors.producer.recordsPerSecond)} records/s`,
    ],
    [
      'The same in Kafka transactions, one per batch',
      `${perSecond(floors.transactionalProducer.recordsPerSecond)} records/s`,
    ],
    ['Produce → consume, one record at a time (p50 / p99)', `${ms(floors.hop.p50)} / ${ms(floors.hop.p99)} ms`],
  ];
  if (floors.postgres) {
    rows.push(
      [
        'Handler-sized Postgres transaction (inbox + upsert + outbox), concurrency 1',
        `${perSecond(floors.postgres.concurrency1)}/s`,
      ],
      ['… concurrency 8', `${perSecond(floors.postgres.concurrency8)}/s`],
    );
  }
  if (relay) {
    const share = (rate) => (rate / floors.producer.recordsPerSecond).toFixed(2);
    rows.push(
      [
        'Outbox relay, events only (one wave per batch)',
        `${perSecond(relay.eventsOnly.recordsPerSecond)} records/s = ${share(relay.eventsOnly.recordsPerSecond)} of the plain producer`,
      ],
      [
        'Outbox relay, snapshot + event per order (two waves per batch)',
        `${perSecond(relay.snapshotAndEvent.recordsPerSecond)} records/s = ${share(relay.snapshotAndEvent.recordsPerSecond)} of the plain producer`,
      ],
    );
  }
  return [
    '### Floors and the relay, same broker, same run',
    '',
    '| measure | result |',
    '| --- | --- |',
    ...rows.map((r) => `| ${r[0]} | ${r[1]} |`),
  ].join('\n');
}

function latencySection(runs, chartPath) {
  const lines = ['### Saga latency against offered load', '', `![Saga latency against offered load](${chartPath})`, ''];
  lines.push(
    '| instances | offered/s | placed/s | ended | p50 ms | p90 ms | p99 ms | max ms | sustained | max consumer lag | max unsent outbox rows |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const run of runs) {
    for (const step of run.steps) {
      if (step.skipped) {
        lines.push(`| ${run.instances} | ${step.rate} | not run: the load before was not sustained | | | | | | | | |`);
        continue;
      }
      const { latency } = step;
      lines.push(
        `| ${run.instances} | ${step.rate} | ${step.achievedRate.toFixed(1)} | ${(step.endedShare * 100).toFixed(1)}% of ${step.offered} | ` +
          `${ms(latency.p50)} | ${ms(latency.p90)} | ${ms(latency.p99)} | ${ms(latency.max)} | ${step.sustained ? 'yes' : 'no'} | ` +
          `${step.maxBacklog.consumerLag} | ${step.maxBacklog.outboxRows ?? '–'} |`,
      );
    }
  }
  return lines.join('\n');
}

const sustainedTop = (run) => run.steps.filter((step) => !step.skipped && step.sustained).at(-1);
const stepAt = (run, rate) => run.steps.find((step) => step.rate === rate && !step.skipped);

function targetsSection(floors, relay, runs) {
  const lines = [
    '### Against the targets',
    '',
    '| target | ' + runs.map((run) => `${run.instances} instance(s)`).join(' | ') + ' |',
  ];
  lines.push('| --- |' + runs.map(() => ' --- |').join(''));
  const row = (label, cell) => lines.push(`| ${label} | ${runs.map(cell).join(' | ')} |`);
  const mark = (ok) => (ok ? '✅' : '❌');
  row(`p50 ≤ ${TARGETS.p50Ms} ms and p99 ≤ ${TARGETS.p99Ms} ms at ${TARGETS.atRate}/s`, (run) => {
    const step = stepAt(run, TARGETS.atRate);
    if (!step) return 'not measured';
    const { p50, p99 } = step.latency;
    return `${mark(p50 <= TARGETS.p50Ms && p99 <= TARGETS.p99Ms)} ${ms(p50)} / ${ms(p99)} ms`;
  });
  row(`≥ ${TARGETS.sagasPerSecond} sagas/s sustained`, (run) => {
    const top = sustainedTop(run);
    return top ? `${mark(top.rate >= TARGETS.sagasPerSecond)} ${top.rate}/s` : '❌ none';
  });
  row(`each service < ${TARGETS.rssMb} MB resident`, (run) => {
    const steps = run.steps.filter((step) => !step.skipped);
    const largest = Math.max(...steps.flatMap((step) => Object.values(step.services).map((s) => s.rssBytes))) / 1e6;
    return `${mark(largest < TARGETS.rssMb)} largest ${largest.toFixed(0)} MB`;
  });
  if (relay) {
    const share = relay.snapshotAndEvent.recordsPerSecond / floors.producer.recordsPerSecond;
    row(
      `relay ≥ ${TARGETS.relayShare} of the plain producer`,
      () => `${mark(share >= TARGETS.relayShare)} ${share.toFixed(2)} (order mix)`,
    );
  }
  return lines.join('\n');
}

function hopsSection(run) {
  const chosen = [stepAt(run, TARGETS.atRate), sustainedTop(run) ?? run.steps[0]].filter(Boolean);
  const steps = [...new Set(chosen)];
  if (steps.length === 0) return '';
  const lines = [`### Where the time goes, ${run.instances} instance(s) of each service`, ''];
  lines.push(
    "Mean (p99) in ms, from the services' own `saga_hop_seconds` (libs/runtime/src/metrics.ts): per outbox row for the relay wait, per batch for publish, per record read for the others.",
    '',
  );
  for (const step of steps) {
    const services = Object.keys(step.services);
    lines.push(
      `At ${step.rate} orders/s:`,
      '',
      `| hop | ${services.join(' | ')} |`,
      `| --- |${services.map(() => ' --- |').join('')}`,
    );
    for (const hop of HOPS) {
      const cells = services.map((service) => {
        const figures = step.services[service].hops[hop];
        return figures ? `${ms(figures.meanMs)} (${ms(figures.p99Ms)})` : '–';
      });
      lines.push(`| ${hop.replace('_', ' ')} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function resourcesSection(run) {
  const steps = run.steps.filter((step) => !step.skipped);
  if (steps.length === 0) return '';
  const names = [...Object.keys(steps[0].services), ...Object.keys(steps[0].infrastructure)];
  const lines = [`### Resources, ${run.instances} instance(s) of each service`, ''];
  lines.push(
    'CPU in cores (all instances of a service together) and resident memory (MB, the largest instance) over each load.',
    '',
  );
  lines.push(`| offered/s | ${names.join(' | ')} | CPU, all |`, `| --- |${names.map(() => ' --- |').join('')} --- |`);
  for (const step of steps) {
    const all = { ...step.services, ...step.infrastructure };
    const cpu = (entry) => entry.cpuShare ?? 0;
    const cells = names.map((name) => `${cpu(all[name]).toFixed(2)} · ${(all[name].rssBytes / 1e6).toFixed(0)} MB`);
    const total = names.reduce((sum, name) => sum + cpu(all[name]), 0);
    lines.push(`| ${step.rate} | ${cells.join(' | ')} | ${total.toFixed(2)} |`);
  }
  return lines.join('\n');
}

function terminalTable(floors, relay, runs) {
  const lines = [];
  lines.push(
    `plain producer ${perSecond(floors.producer.recordsPerSecond)}/s, transactional ${perSecond(floors.transactionalProducer.recordsPerSecond)}/s, hop p50 ${ms(floors.hop.p50)} ms p99 ${ms(floors.hop.p99)} ms`,
  );
  if (floors.postgres)
    lines.push(
      `postgres handler transactions: ${perSecond(floors.postgres.concurrency1)}/s (1), ${perSecond(floors.postgres.concurrency8)}/s (8)`,
    );
  if (relay)
    lines.push(
      `relay: events only ${perSecond(relay.eventsOnly.recordsPerSecond)}/s, snapshot+event ${perSecond(relay.snapshotAndEvent.recordsPerSecond)}/s`,
    );
  lines.push('instances  offered/s  ended    p50 ms  p90 ms  p99 ms  max ms  sustained');
  for (const run of runs) {
    for (const step of run.steps) {
      if (step.skipped) continue;
      const l = step.latency;
      lines.push(
        `${String(run.instances).padEnd(10)} ${String(step.rate).padEnd(10)} ${`${(step.endedShare * 100).toFixed(0)}%`.padEnd(8)} ` +
          `${ms(l.p50).padStart(6)}  ${ms(l.p90).padStart(6)}  ${ms(l.p99).padStart(6)}  ${ms(l.max).padStart(6)}  ${step.sustained ? 'yes' : 'no'}`,
      );
    }
  }
  return lines.join('\n');
}

/** p50 and p99 against offered load, both axes logarithmic; one colour per instance count. */
function latencyChart(runs) {
  const width = 640;
  const height = 360;
  const pad = { left: 60, right: 150, top: 20, bottom: 45 };
  const steps = runs.flatMap((run) => run.steps.filter((step) => !step.skipped && step.ended > 0));
  const rates = steps.map((step) => step.rate);
  const values = steps.flatMap((step) => [step.latency.p50, step.latency.p99]);
  const [xMin, xMax] = [Math.min(...rates, 10) / 1.2, Math.max(...rates, 20) * 1.2];
  const [yMin, yMax] = [
    10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values, 10)))),
    10 ** Math.ceil(Math.log10(Math.max(...values, 200))),
  ];
  const x = (v) =>
    pad.left + ((Math.log(v) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * (width - pad.left - pad.right);
  const y = (v) =>
    height -
    pad.bottom -
    ((Math.log(v) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin))) * (height - pad.top - pad.bottom);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  for (let v = yMin; v <= yMax; v *= 10) {
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`,
    );
  }
  for (const rate of [...new Set(rates)]) {
    parts.push(`<text x="${x(rate)}" y="${height - pad.bottom + 16}" text-anchor="middle">${rate}</text>`);
  }
  parts.push(
    `<text x="${(pad.left + width - pad.right) / 2}" y="${height - 8}" text-anchor="middle">offered load (orders/s)</text>`,
  );
  const targetY = y(40);
  parts.push(
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${targetY}" y2="${targetY}" stroke="#999" stroke-dasharray="4 4"/>`,
  );
  parts.push(`<text x="${width - pad.right + 4}" y="${targetY + 4}" fill="#666">p50 target</text>`);
  let legend = pad.top;
  runs.forEach((run, index) => {
    const colour = colours[index % colours.length];
    const points = run.steps.filter((step) => !step.skipped && step.ended > 0);
    for (const [key, dash] of [
      ['p50', ''],
      ['p99', '6 3'],
    ]) {
      const path = points.map((step) => `${x(step.rate).toFixed(1)},${y(step.latency[key]).toFixed(1)}`).join(' ');
      parts.push(
        `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="${dash}"/>`,
      );
      for (const step of points)
        parts.push(`<circle cx="${x(step.rate)}" cy="${y(step.latency[key])}" r="3" fill="${colour}"/>`);
      legend += 18;
      parts.push(
        `<line x1="${width - pad.right + 10}" x2="${width - pad.right + 34}" y1="${legend}" y2="${legend}" stroke="${colour}" stroke-width="2" stroke-dasharray="${dash}"/>`,
      );
      parts.push(`<text x="${width - pad.right + 40}" y="${legend + 4}">${key}, ${run.instances} inst.</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
