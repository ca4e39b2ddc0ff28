// pnpm bench:search-doc [--rows N]: the superseded 0054 (search_doc re-added as a STORED generated
// column: a whole-table rewrite under ACCESS EXCLUSIVE) against the online sequence that replaced
// it (0054 expand, the search_doc backfill, 0059 index CONCURRENTLY, 0061 switch), on identical
// copies of a production-shaped database (dj_name already filled), each with a concurrent writer
// (startFlowsheetWriter: an INSERT and an UPDATE every 50 ms, each timed).
import { readFileSync } from 'node:fs';
import postgres, { type Sql } from 'postgres';
import { runBackfill } from '@wxyc/backfill';
import {
  DJ_NAME_SOURCE_SQL,
  DJ_NAME_SQL,
  MIGRATIONS_DIR,
  loadMigrations,
  maskUrl,
  searchDocSql,
  splitStatements,
  type Migration,
} from '@wxyc/database';
import { seedProdShape, startFlowsheetWriter, type FlowsheetWriter, type WriterWindow } from '@wxyc/fixtures';
import type { Logger } from '@wxyc/job-runtime';
import { readArgs } from '@wxyc/job-runtime';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { flowsheetSearchDoc } from '../jobs/backfills/flowsheet-search-doc-backfill/src/definition.js';
import { migrateWithDrizzle } from '../tests/support/drizzle-migrate.js';
import { withDatabase } from '../tests/support/urls.js';

const { values } = readArgs(
  {
    command: 'pnpm bench:search-doc',
    summary:
      "The superseded 0054 rewrite against the online sequence (0054, the backfill, 0059, 0061) on identical production-shaped copies: total time and a concurrent writer's longest wait.",
    options: { rows: { type: 'string', value: 'N', default: '1000000', description: 'flowsheet rows (>= 1000)' } },
  },
  process.argv.slice(2),
  'bench',
);
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1000) throw new Error(`--rows must be an integer >= 1000, got ${values.rows}`);

const log = (m: string) => console.log(`[bench] ${m}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const open = (url: string, max = 2): Sql => postgres(url, { max, onnotice: () => {} });
const LOCK_NOT_AVAILABLE = '55P03';

/** A migration's statements in one transaction, the runner's way; a no-transaction file on its own. Returns ms. */
async function apply(sql: Sql, m: Pick<Migration, 'statements' | 'noTransaction'>): Promise<number> {
  const t0 = performance.now();
  if (m.noTransaction) await sql.unsafe(m.statements[0]!.sql);
  else
    await sql.begin(async (tx) => {
      for (const s of m.statements) await tx.unsafe(s.sql);
    });
  return performance.now() - t0;
}

/** 0061 gives up after its lock_timeout; like the runner, retry the whole migration. */
async function applyRetrying(sql: Sql, m: Migration): Promise<{ ms: number; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    try {
      return { ms: await apply(sql, m), attempts };
    } catch (err) {
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempts >= 10) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempts));
    }
  }
}

/** Runs `fn` with a writer on `url`; returns fn's result, the elapsed time and the writer's window. */
async function withWriter<T>(
  url: string,
  maxId: number,
  fn: (writer: FlowsheetWriter) => Promise<T>,
): Promise<{ result: T; ms: number; writes: WriterWindow }> {
  const wsql = open(url, 1);
  await wsql`SELECT 1`; // connect before timing
  const writer = startFlowsheetWriter(wsql, { intervalMs: 50, maxId });
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  try {
    const result = await fn(writer);
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
    return { result, ms, writes: await writer.stop() };
  } finally {
    await writer.stop();
    await wsql.end();
  }
}

const describeWrites = (w: WriterWindow) =>
  `${w.writes} writes, longest wait ${w.maxMs.toFixed(1)} ms, p99 ${w.p99Ms.toFixed(1)} ms${w.errors.length ? `, ${w.errors.length} FAILED (${w.errors[0]})` : ''}`;

const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const server = external
  ? { url: external, stop: async () => {} }
  : await startLocalPostgres({ settings: { shared_buffers: '1GB', max_wal_size: '4GB', fsync: 'on' } });
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => void server.stop().finally(() => process.exit(130)));
log(`server ${maskUrl(server.url)}${external ? '' : ' (embedded, shared_buffers=1GB, max_wal_size=4GB)'}`);
const admin = open(server.url, 1);
const names = {
  src: `bench_sd_src_${process.pid}`,
  old: `bench_sd_old_${process.pid}`,
  online: `bench_sd_new_${process.pid}`,
};
const migrations = loadMigrations(MIGRATIONS_DIR);
const byTag = (n: string) => migrations.find((m) => m.tag.startsWith(n))!;
const oldContent = readFileSync(new URL('./fixtures/0054-superseded-rewrite.sql', import.meta.url), 'utf8');
const old0054 = { statements: splitStatements(oldContent), noTransaction: false };
try {
  await admin.unsafe(`CREATE DATABASE ${names.src}`);
  const srcUrl = withDatabase(server.url, names.src);
  await migrateWithDrizzle(srcUrl, { upTo: '0053' });
  let t0 = performance.now();
  const src = open(srcUrl);
  const shape = await seedProdShape(src, { rows });
  // Production after the dj_name backfill: every track row has its name (setup, not measured;
  // the GIN index is rebuilt once afterwards instead of row by row).
  const [gin] = await src<
    { def: string }[]
  >`SELECT pg_get_indexdef('wxyc_schema.flowsheet_search_doc_idx'::regclass) AS def`;
  await src`DROP INDEX wxyc_schema.flowsheet_search_doc_idx`;
  await src.unsafe(
    `UPDATE wxyc_schema.flowsheet f SET dj_name = COALESCE((SELECT ${DJ_NAME_SQL} FROM ${DJ_NAME_SOURCE_SQL} WHERE s.id = f.show_id), 'Unknown DJ') WHERE f.entry_type = 'track'`,
  );
  await src.unsafe(gin!.def); // the server's own definition text
  await src`VACUUM ANALYZE`;
  await src.end();
  log(`seeded ${shape.rows} rows (dj_name filled) at migration 0053 in ${secs(performance.now() - t0)}`);
  for (const copy of [names.old, names.online]) await admin.unsafe(`CREATE DATABASE ${copy} TEMPLATE ${names.src}`);

  // (a) the superseded 0054: one transaction, the whole table rewritten under ACCESS EXCLUSIVE
  const oldUrl = withDatabase(server.url, names.old);
  const oldSql = open(oldUrl);
  const a = await withWriter(oldUrl, shape.rows, () => apply(oldSql, old0054));
  await oldSql.end();
  log(`(a) superseded 0054: ${secs(a.ms)}; writer: ${describeWrites(a.writes)}`);

  // (b) the online sequence, each step with the writer running
  const newUrl = withDatabase(server.url, names.online);
  const newSql = open(newUrl, 3);
  const steps: { step: string; ms: number; writes: WriterWindow }[] = [];
  const quiet: Logger = {
    info: () => {},
    warn: (m) => log(`backfill warning: ${m}`),
    error: (m) => log(`backfill error: ${m}`),
  };
  const b = await withWriter(newUrl, shape.rows, async (writer) => {
    const step = async (name: string, fn: () => Promise<unknown>) => {
      writer.take();
      const s0 = performance.now();
      await fn();
      steps.push({ step: name, ms: performance.now() - s0, writes: writer.take() });
    };
    await step('0054 expand', () => apply(newSql, byTag('0054')));
    await step('0059 index (CONCURRENTLY)', () => apply(newSql, byTag('0059')));
    await step('search_doc backfill', () =>
      runBackfill(flowsheetSearchDoc, { sql: newSql, log: quiet, batchSize: 5000, targetMs: 300 }),
    );
    await step('0061 switch', async () =>
      log(`(b) 0061 attempts: ${(await applyRetrying(newSql, byTag('0061'))).attempts}`),
    );
  });
  const [{ bad } = { bad: -1 }] = await newSql<{ bad: number }[]>`
    SELECT count(*)::int AS bad FROM wxyc_schema.flowsheet f
    WHERE f.search_doc IS DISTINCT FROM (${newSql.unsafe(searchDocSql('f'))})`;
  await newSql.end();
  for (const s of steps) log(`(b) ${s.step}: ${secs(s.ms)}; writer: ${describeWrites(s.writes)}`);
  log(
    `(b) online sequence: ${secs(b.ms)}; writer (after the last step): ${describeWrites(b.writes)}; rows whose search_doc differs from the expression: ${bad}`,
  );
  const longestB = Math.max(b.writes.maxMs, ...steps.map((s) => s.writes.maxMs));
  log(
    `summary at ${shape.rows} rows: total (b)/(a) = ${(b.ms / a.ms).toFixed(2)} (${secs(b.ms)} vs ${secs(a.ms)}); ` +
      `longest write wait (a) ${a.writes.maxMs.toFixed(0)} ms vs (b) ${longestB.toFixed(0)} ms ` +
      `(ratio ${(longestB / Math.max(1, a.writes.maxMs)).toFixed(3)}; target (b) < 1000 ms: ${longestB < 1000 ? 'met' : 'NOT met'})`,
  );
} finally {
  for (const n of Object.values(names)) await admin.unsafe(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  await admin.end();
  await server.stop();
}
