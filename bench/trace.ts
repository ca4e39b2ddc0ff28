// pnpm bench:trace [--rows 100000] [--check-rows 500000] [--measure-rows 1000000] [--repeat 3]
// [--only cost|extrapolation]: the cost of `migrate:trace` and the error of its extrapolation.
//  1. wall time of tracing 0053..latest on a database at 0052 seeded with --rows (seed included),
//     against the same seed + apply without tracing (baseline, same process, same server), twice
//     in the order trace, baseline, trace, baseline;
//  2. the superseded 0054's ACCESS EXCLUSIVE hold (bench/fixtures/0054-superseded-rewrite.sql, the
//     whole-table rewrite that the online sequence replaced) measured --repeat times at --rows,
//     --check-rows and --measure-rows, the sizes interleaved on databases seeded once (each run rolled
//     back; every run printed, the fastest used), and the hold at --measure-rows predicted from the two
//     smaller sizes (each by ratio, and by a line through both) against the one measured there.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { readArgs } from '@wxyc/job-runtime';
import postgres from 'postgres';
import {
  DJ_NAME_SOURCE_SQL,
  DJ_NAME_SQL,
  loadMigrations,
  MIGRATIONS_DIR,
  maskUrl,
  splitStatements,
  type Migration,
  type TableStats,
} from '@wxyc/database';
import { seedProdShape } from '@wxyc/fixtures';
import { startLocalPostgres } from '@wxyc/local-postgres';
import {
  applyPlain,
  extrapolate,
  fitLinear,
  measureMigration,
  predictMs,
  PREPARE_STEPS,
  TRACE_SERVER_SETTINGS,
  traceMigrations,
} from '@wxyc/migration-trace';

const { values } = readArgs(
  {
    command: 'pnpm bench:trace',
    summary:
      "The cost of migrate:trace against an untraced apply (same process, same server), and its extrapolation's error for the superseded 0054 against a measured hold.",
    options: {
      rows: { type: 'string', value: 'N', default: '100000', description: 'rows of the traced database' },
      'check-rows': { type: 'string', value: 'N', default: '500000', description: 'rows of the extrapolation check' },
      'measure-rows': { type: 'string', value: 'N', default: '1000000', description: 'rows of the measured hold' },
      repeat: { type: 'string', value: 'N', default: '3', description: 'runs of each, the fastest kept' },
      only: { type: 'string', value: 'PART', description: 'cost or extrapolation' },
    },
  },
  process.argv.slice(2),
  'bench',
);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 10) throw new Error('--repeat must be an integer from 1 to 10');
if (values.only && !['cost', 'extrapolation'].includes(values.only))
  throw new Error('--only must be cost or extrapolation');
const [rows, checkRows, measureRows] = [values.rows, values['check-rows'], values['measure-rows']].map(Number) as [
  number,
  number,
  number,
];
if (![rows, checkRows, measureRows].every((n) => Number.isInteger(n) && n >= 1000))
  throw new Error('--rows, --check-rows and --measure-rows must be integers >= 1000');

const log = (m: string) => console.log(`[bench] ${m}`);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const s2 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const migrations = loadMigrations(MIGRATIONS_DIR);
const base = migrations.findIndex((m) => m.tag === '0052_comment_bins') + 1;
const TAG_0054 = '0054_superseded-rewrite';
const content = readFileSync(new URL('./fixtures/0054-superseded-rewrite.sql', import.meta.url), 'utf8');
const m53 = migrations[base]!;
const superseded: Migration = {
  idx: m53.idx + 1,
  tag: TAG_0054,
  when: m53.when + 1,
  file: 'bench/fixtures/0054-superseded-rewrite.sql',
  hash: createHash('sha256').update(content).digest('hex'),
  content,
  statements: splitStatements(content),
  noTransaction: false,
};
// Its guard wants every track row named: what the dj_name backfill left in production (untimed).
const prepareOld = {
  [TAG_0054]: {
    describe: 'dj_name backfill of every track row',
    async run(sql: postgres.Sql) {
      await sql.unsafe(
        `UPDATE wxyc_schema.flowsheet f SET dj_name = COALESCE((SELECT ${DJ_NAME_SQL} FROM ${DJ_NAME_SOURCE_SQL} WHERE s.id = f.show_id), 'unresolved') WHERE f.entry_type = 'track' AND f.dj_name IS NULL`,
      );
      await sql.unsafe('VACUUM ANALYZE wxyc_schema.flowsheet');
    },
  },
};
const statsAt = (n: number): TableStats => ({
  exportedAt: '',
  source: 'bench',
  tables: { 'wxyc_schema.flowsheet': { reltuples: n, relpages: 0 } },
});

const server = await startLocalPostgres({ settings: TRACE_SERVER_SETTINGS });
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => void server.stop().finally(() => process.exit(130)));
log(`server ${maskUrl(server.url)} (embedded, one for every run, ${JSON.stringify(TRACE_SERVER_SETTINGS)})`);

async function baseline(n: number): Promise<number> {
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  const name = `bench_plain_${process.pid}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connection: { statement_timeout: 0 } });
  try {
    const t0 = performance.now();
    await applyPlain(sql, migrations.slice(0, base));
    await seedProdShape(sql, { rows: n });
    await sql.unsafe('VACUUM ANALYZE');
    for (const m of migrations.slice(base)) {
      await PREPARE_STEPS[m.tag]?.run(sql);
      await applyPlain(sql, [m]);
    }
    return performance.now() - t0;
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const pct = (p: number, m: number) => `${p >= m ? '+' : ''}${(((p - m) / m) * 100).toFixed(1)}%`;

/** (1) trace vs untraced, alternated A/B/A/B so load drift hits both alike. */
async function cost(): Promise<void> {
  const ratios: number[] = [];
  for (let i = 1; i <= 2; i++) {
    const t0 = performance.now();
    const traced = await traceMigrations({
      migrations,
      baseCount: base,
      rows,
      stats: statsAt(measureRows),
      serverUrl: server.url,
    });
    const tracedMs = performance.now() - t0;
    const plainMs = await baseline(rows);
    ratios.push(tracedMs / plainMs);
    log(
      `(1.${i}) trace of ${migrations.length - base} migrations (0053..latest) at ${rows} rows, seed included: ${s(tracedMs)} (setup+seed ${s(traced.setupMs)}); untraced: ${s(plainMs)}; ratio ${ratios.at(-1)!.toFixed(2)} [load ${load()}]`,
    );
  }
  log(`(1) ratio trace/baseline: ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`);
}

/** A throwaway database of the bench's server, at 0053 with `n` production-shaped rows, ready for the superseded 0054. */
async function seeded(n: number) {
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  const name = `bench_hold_${n}_${process.pid}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), {
    max: 1,
    idle_timeout: 0,
    onnotice: () => {},
    connection: { statement_timeout: 0 },
  });
  const observer = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await applyPlain(sql, migrations.slice(0, base));
  await seedProdShape(sql, { rows: n });
  await sql.unsafe('VACUUM ANALYZE');
  await applyPlain(sql, [m53]);
  await prepareOld[TAG_0054].run(sql);
  const drop = async () => {
    await Promise.all([sql.end(), observer.end()]);
    await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  };
  return { n, sql, observer, drop };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;

/**
 * (2) the superseded 0054 measured `repeat` times at each size, the sizes interleaved (round 1
 * small to big, round 2 big to small, ...) on databases seeded once, so load drift on the shared
 * machine falls on every size alike; each run rolls back. The fastest run of each size is used.
 */
async function extrapolation(): Promise<void> {
  const sizes = [rows, checkRows, measureRows];
  const t0 = performance.now();
  const dbs = [];
  for (const n of sizes) dbs.push(await seeded(n));
  log(`(2) seeded ${sizes.join(', ')} rows in ${s(performance.now() - t0)} (untimed) [load ${load()}]`);
  const runs = new Map<number, { heldMs: number; productionMs: number }[]>(sizes.map((n) => [n, []]));
  try {
    for (let r = 1; r <= repeat; r++) {
      for (const db of r % 2 ? dbs : [...dbs].reverse()) {
        await db.sql.unsafe('CHECKPOINT');
        const measured = await measureMigration(db.sql, db.observer, superseded, 'rollback');
        const report = extrapolate(measured, () => ({ traced: db.n, production: measureRows }), {
          budgetMs: 2000,
          bigTableRows: 100_000,
        });
        const h = report.statements.flatMap((st) => st.holds).find((x) => x.mode === 'AccessExclusiveLock');
        if (!h) throw new Error(`no ACCESS EXCLUSIVE hold of ${TAG_0054} at ${db.n} rows`);
        runs.get(db.n)!.push({ heldMs: h.heldMs, productionMs: h.productionMs });
        log(`    round ${r}, ${db.n} rows: ACCESS EXCLUSIVE held ${s2(h.heldMs)} [load ${load()}]`);
      }
    }
  } finally {
    for (const db of dbs) await db.drop();
  }
  const best = (n: number) => runs.get(n)!.reduce((x, y) => (y.heldMs < x.heldMs ? y : x));
  for (const n of sizes) {
    const held = runs.get(n)!.map((x) => x.heldMs);
    log(
      `(2) ${n} rows: held ${held.map(s2).join(', ')}; fastest ${s2(Math.min(...held))}, median ${s2(median(held))}, spread ${((Math.max(...held) / Math.min(...held) - 1) * 100).toFixed(0)}%`,
    );
  }
  const measured = best(measureRows).heldMs;
  const [small, check] = [best(rows), best(checkRows)];
  const fit = fitLinear([
    { rows, ms: small.heldMs },
    { rows: checkRows, ms: check.heldMs },
  ]);
  const fitted = predictMs(fit, measureRows);
  const medFit = fitLinear([
    { rows, ms: median(runs.get(rows)!.map((x) => x.heldMs)) },
    { rows: checkRows, ms: median(runs.get(checkRows)!.map((x) => x.heldMs)) },
  ]);
  const medMeasured = median(runs.get(measureRows)!.map((x) => x.heldMs));
  log(`(2) measured at ${measureRows} rows (fastest of ${repeat}): ${s2(measured)}`);
  log(`    ratio from ${rows}: predicted ${s(small.productionMs)}, error ${pct(small.productionMs, measured)}`);
  log(`    ratio from ${checkRows}: predicted ${s(check.productionMs)}, error ${pct(check.productionMs, measured)}`);
  log(
    `    line through ${rows} and ${checkRows} (fixed ${s(fit.fixedMs)} + ${(fit.msPerRow * 1000).toFixed(2)} ms per 1,000 rows): predicted ${s(fitted)}, error ${pct(fitted, measured)}`,
  );
  log(
    `    the same from medians: line predicts ${s(predictMs(medFit, measureRows))} against a median of ${s(medMeasured)}, error ${pct(predictMs(medFit, measureRows), medMeasured)}`,
  );
  log(
    `    predicted at production's 2,600,000 rows: ${s(predictMs(fit, 2_600_000))} (line), ${s((measured * 2_600_000) / measureRows)} (ratio from ${measureRows})`,
  );
}

try {
  log(`load average at start ${load()}; repeat ${repeat}`);
  if (values.only !== 'extrapolation') await cost();
  if (values.only !== 'cost') await extrapolation();
  log(`load average at end ${load()}`);
} finally {
  await server.stop();
}
