// pnpm bench:trace [--rows 100000] [--check-rows 500000] [--measure-rows 1000000]: the cost of
// `migrate:trace` and the error of its extrapolation.
//  1. wall time of tracing 0053..latest on a database at 0052 seeded with --rows (seed included),
//     against the same seed + apply without tracing (baseline, same process, same server);
//  2. 0054's ACCESS EXCLUSIVE hold traced at --rows and --check-rows, extrapolated to
//     --measure-rows, against the hold measured by tracing at --measure-rows.
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { loadMigrations, MIGRATIONS_DIR, maskUrl, type TableStats } from '@wxyc/database';
import { seedProdShape } from '@wxyc/fixtures';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { applyPlain, PREPARE_STEPS, TRACE_SERVER_SETTINGS, traceMigrations, type TraceReport } from '@wxyc/migration-trace';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, 'check-rows': { type: 'string', default: '500000' }, 'measure-rows': { type: 'string', default: '1000000' } },
});
const [rows, checkRows, measureRows] = [values.rows, values['check-rows'], values['measure-rows']].map(Number) as [number, number, number];
if (![rows, checkRows, measureRows].every((n) => Number.isInteger(n) && n >= 1000)) throw new Error('--rows, --check-rows and --measure-rows must be integers >= 1000');

const log = (m: string) => console.log(`[bench] ${m}`);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const migrations = loadMigrations(MIGRATIONS_DIR);
const base = migrations.findIndex((m) => m.tag === '0052_comment_bins') + 1;
const TAG_0054 = '0054_flowsheet-search-doc-with-dj-name';
const statsAt = (n: number): TableStats => ({ exportedAt: '', source: 'bench', tables: { 'wxyc_schema.flowsheet': { reltuples: n, relpages: 0 } } });

const server = await startLocalPostgres({ settings: TRACE_SERVER_SETTINGS });
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void server.stop().finally(() => process.exit(130)));
log(`server ${maskUrl(server.url)} (embedded, one for every run, ${JSON.stringify(TRACE_SERVER_SETTINGS)})`);

const hold54 = (r: TraceReport) => {
  const h = r.migrations.find((m) => m.tag === TAG_0054)?.statements.flatMap((st) => st.holds).find((x) => x.mode === 'AccessExclusiveLock');
  if (!h) throw new Error(`no ACCESS EXCLUSIVE hold of ${TAG_0054} in the trace${r.error ? `: ${r.error.message}` : ''}`);
  return h;
};

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

try {
  const t0 = performance.now();
  const traced = await traceMigrations({ migrations, baseCount: base, rows, stats: statsAt(measureRows), serverUrl: server.url });
  const tracedMs = performance.now() - t0;
  const plainMs = await baseline(rows);
  log(`(1) trace of ${migrations.length - base} migrations (0053..latest) at ${rows} rows, seed included: ${s(tracedMs)} (setup+seed ${s(traced.setupMs)})`);
  log(`    baseline, the same seed + apply untraced: ${s(plainMs)}; ratio trace/baseline = ${(tracedMs / plainMs).toFixed(2)}`);

  const check = await traceMigrations({ migrations: migrations.slice(0, base + 2), baseCount: base, rows: checkRows, stats: statsAt(measureRows), serverUrl: server.url });
  const measured = await traceMigrations({ migrations: migrations.slice(0, base + 2), baseCount: base, rows: measureRows, stats: statsAt(measureRows), serverUrl: server.url });
  const m = hold54(measured).heldMs;
  log(`(2) 0054 ACCESS EXCLUSIVE on flowsheet, measured at ${measureRows} rows: ${s(m)}`);
  for (const [n, r] of [[rows, traced], [checkRows, check]] as const) {
    const h = hold54(r);
    log(`    traced at ${n} rows: held ${s(h.heldMs)}, predicted at ${measureRows}: ${s(h.productionMs)}, error ${(((h.productionMs - m) / m) * 100).toFixed(1)}%`);
  }
  log(`    predicted at production's 2,600,000 rows from ${measureRows}: ${s((m * 2_600_000) / measureRows)} (linear)`);
} finally {
  await server.stop();
}
