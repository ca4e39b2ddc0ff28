import { randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import type { Migration, TableStats } from '@wxyc/database';
import { lookupTableSize } from '@wxyc/database';
import { seedProdShape } from '@wxyc/fixtures';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { extrapolateRepeats, type MigrationReport, type TableRows } from './extrapolate.js';
import { applyPlain, measureRepeated, TraceStatementError } from './measure.js';
import { PREPARE_STEPS, prepareStepFor, type PrepareStep } from './prepare.js';

export interface TraceOptions {
  /** Every migration of the journal, in order. */
  migrations: Migration[];
  /** How many of them form the base state (applied untraced before the seed). */
  baseCount: number;
  /** flowsheet rows of the production-shaped seed (@wxyc/fixtures scales shows and users with it). */
  rows: number;
  stats?: TableStats;
  /** Write-blocking lock hold allowed at production size (default 2000). */
  budgetMs?: number;
  /** Rows from which a table is big (default 100,000). */
  bigTableRows?: number;
  /** Superuser URL of a server to create the throwaway database on; default: an embedded server started and removed here. */
  serverUrl?: string;
  prepare?: Record<string, PrepareStep>;
  /**
   * Measure each migration this many times (default 1); all runs but the last roll back, and the
   * report is the fastest run's (its `repeats` lists every run). No-transaction migrations run once.
   */
  repeat?: number;
  log?: (line: string) => void;
}

export interface TraceReport {
  rows: number;
  budgetMs: number;
  base: string | undefined;
  /** Seconds spent building the base state and seeding it. */
  setupMs: number;
  /** Tables of the trace: rows seeded and production rows (stats.json). */
  tables: Record<string, TableRows>;
  migrations: MigrationReport[];
  /** The migration that failed in the trace (the rest were not traced), if any. */
  error?: { tag: string; line: number; message: string };
  failures: string[];
}

export const DEFAULT_BUDGET_MS = 2000;
/**
 * The embedded server's memory: with PostgreSQL's 128MB default, a rewrite of a table bigger
 * than the cache slows down by more than its size, which production (sized for its tables)
 * does not see, and the scaling from a small trace would be off. Touched pages only.
 * max_wal_size: a rewrite writes about its table's size in WAL; with the 1GB default a checkpoint
 * starts in the middle of a big rewrite and not of a small one, which bends the scaling too.
 */
export const TRACE_SERVER_SETTINGS = {
  shared_buffers: '512MB',
  maintenance_work_mem: '256MB',
  max_wal_size: '4GB',
} as const;
export const DEFAULT_BIG_TABLE_ROWS = 100_000;

/**
 * Builds a throwaway database at the base state, fills it with production-shaped data, then
 * applies the remaining migrations one by one and reports what each statement locked,
 * rewrote and scanned, and how long its write-blocking locks would be held in production.
 */
export async function traceMigrations(opts: TraceOptions): Promise<TraceReport> {
  const log = opts.log ?? (() => {});
  const server = opts.serverUrl
    ? { url: opts.serverUrl, stop: async () => {} }
    : await startLocalPostgres({ settings: TRACE_SERVER_SETTINGS });
  const name = `wxyc_trace_${randomBytes(5).toString('hex')}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`); // name: constant prefix + hex
    const dbUrl = withDatabase(server.url, name);
    const sql = postgres(dbUrl, {
      max: 1,
      idle_timeout: 0,
      onnotice: () => {},
      connection: { application_name: 'wxyc-migrate-trace', statement_timeout: 0 },
    });
    const observer = postgres(dbUrl, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: 'wxyc-migrate-trace-observer' },
    });
    try {
      return await traceOn(sql, observer, opts, log);
    } finally {
      await Promise.all([sql.end(), observer.end()]);
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
    await server.stop();
  }
}

async function traceOn(sql: Sql, observer: Sql, opts: TraceOptions, log: (l: string) => void): Promise<TraceReport> {
  const budgetMs = opts.budgetMs ?? DEFAULT_BUDGET_MS;
  const bigTableRows = opts.bigTableRows ?? DEFAULT_BIG_TABLE_ROWS;
  const base = opts.migrations.slice(0, opts.baseCount);
  const t0 = performance.now();
  await applyPlain(sql, base);
  log(
    `base state: ${base.length} migrations (${base.at(-1)?.tag ?? 'empty'}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (opts.rows > 0) {
    const t1 = performance.now();
    await seedProdShape(sql, { rows: opts.rows }).catch((err: unknown) => {
      throw new Error(
        `seeding ${opts.rows} production-shaped rows at ${base.at(-1)?.tag ?? 'an empty database'} failed: ${(err as Error).message} (the base state needs flowsheet, shows and auth_user)`,
      );
    });
    await sql.unsafe('VACUUM ANALYZE');
    log(`seeded ${opts.rows} flowsheet rows in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
  const setupMs = performance.now() - t0;
  const traced = await tracedRows(sql);
  const tables: Record<string, TableRows> = {};
  const rowsOf = (table: string): TableRows =>
    (tables[table] ??= { traced: traced.get(table) ?? 0, production: lookupTableSize(opts.stats, table)?.reltuples });
  for (const t of traced.keys()) rowsOf(t);

  const report: TraceReport = {
    rows: opts.rows,
    budgetMs,
    base: base.at(-1)?.tag,
    setupMs,
    tables,
    migrations: [],
    failures: [],
  };
  for (const m of opts.migrations.slice(opts.baseCount)) {
    const step = prepareStepFor(opts.prepare ?? PREPARE_STEPS, m.tag);
    if (step) {
      log(`${m.tag}: preparing (${step.describe}), not timed`);
      await step.run(sql);
    }
    try {
      const runs = await measureRepeated(sql, observer, m, opts.repeat ?? 1);
      const r = extrapolateRepeats(runs, rowsOf, { budgetMs, bigTableRows });
      report.migrations.push(r);
      report.failures.push(...r.failures);
    } catch (err) {
      if (!(err instanceof TraceStatementError)) throw err;
      report.error = { tag: err.tag, line: err.line, message: (err.cause as Error)?.message ?? String(err.cause) };
      break;
    }
  }
  return report;
}

async function tracedRows(sql: Sql): Promise<Map<string, number>> {
  const rows = await sql<{ name: string; n: number }[]>`
    SELECT n.nspname || '.' || c.relname AS name, greatest(c.reltuples, 0)::float8 AS n
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('wxyc_schema', 'public') AND c.relkind IN ('r', 'p')`;
  return new Map(rows.map((r) => [r.name, r.n]));
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
