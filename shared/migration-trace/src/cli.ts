import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import postgres from 'postgres';
import {
  MIGRATIONS_DIR,
  STATS_FILE,
  databaseUrlFromEnv,
  exportTableStats,
  folderTime,
  loadMigrations,
  maskUrl,
  migrationTitle,
  planMigrations,
  readApplied,
  readTableStats,
  type Migration,
} from '@wxyc/database';
import {
  ConfigError,
  JobError,
  parseCommandLine,
  readArgs,
  runJob,
  usageLine,
  type CommandSpec,
} from '@wxyc/job-runtime';
import { formatTraceReport } from './format.js';
import { DEFAULT_BIG_TABLE_ROWS, DEFAULT_BUDGET_MS, traceMigrations } from './trace.js';

export const TRACE_COMMAND = {
  command: 'node dev_env/init-db.mjs --trace',
  summary:
    'Runs the pending migrations on a throwaway production-shaped database and reports the locks, rewrites, scans and lock hold times they would take at production size (= pnpm migrate:trace).',
  options: {
    trace: { type: 'boolean', hidden: true, description: 'trace (this command)' },
    rows: { type: 'string', value: 'N', default: '100000', description: 'production-shaped flowsheet rows to seed' },
    budget: {
      type: 'string',
      value: 'DURATION',
      default: `${DEFAULT_BUDGET_MS}ms`,
      description: 'longest write-blocking lock allowed at production size',
    },
    from: { type: 'string', value: 'TAG', description: 'trace the migrations after TAG' },
    'since-ref': {
      type: 'string',
      value: 'GIT_REF',
      description: "trace the migrations GIT_REF does not have (CI: the branch's own)",
    },
    'big-rows': {
      type: 'string',
      value: 'N',
      default: String(DEFAULT_BIG_TABLE_ROWS),
      description: 'a table this big counts as big',
    },
    stats: {
      type: 'string',
      value: 'FILE',
      default: STATS_FILE,
      description: 'production table sizes (--export-stats writes it)',
    },
    json: { type: 'string', value: 'FILE', description: 'also write the report as JSON' },
    repeat: {
      type: 'string',
      value: 'N',
      default: '1',
      description: 'runs per migration, the fastest reported (at most 10)',
    },
  },
  env: {
    DATABASE_URL: 'without --from/--since-ref: trace what this database has pending',
    TRACE_SERVER_URL: 'a PostgreSQL server for the throwaway database (default: an embedded one)',
  },
  notes:
    'exit codes: 0 within budget, 1 over budget, 2 bad arguments, 11 a migration failed in the trace. docs/migrations.md, "The trace".',
} as const satisfies CommandSpec;

export const EXPORT_STATS_COMMAND = {
  command: 'node dev_env/init-db.mjs --export-stats',
  summary:
    'Writes the table sizes of DATABASE_URL (read-only) to the stats file the linter and the trace extrapolate with.',
  options: {
    'export-stats': { type: 'boolean', hidden: true, description: 'export (this command)' },
    out: { type: 'string', value: 'FILE', default: STATS_FILE, description: 'where to write' },
  },
  env: { DATABASE_URL: 'the (production) database to read sizes from' },
} as const satisfies CommandSpec;

const USAGE = `usage: ${usageLine(TRACE_COMMAND)}`;

/** Exit codes of the trace (docs/migrations.md): 1 over budget, 11 a migration failed in the trace. */
export const TRACE_EXIT = { OVER_BUDGET: 1, MIGRATION_FAILED: 11 } as const;

export function parseMs(raw: string, name: string): number {
  const m = raw.trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|min)?$/);
  if (!m) throw new ConfigError(`${name} ${JSON.stringify(raw)}: expected a duration such as 2s, 500ms or 1min`);
  return Number(m[1]) * ({ ms: 1, s: 1000, min: 60_000 }[m[2] ?? 's'] as number);
}

export function parseCount(raw: string, name: string, min: number): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min)
    throw new ConfigError(`${name} ${JSON.stringify(raw)}: expected a whole number >= ${min}`);
  return Number(raw);
}

/**
 * The migrations a git ref (the branch's base) has, in either layout: the journal's tags, or the
 * names of its `<timestamp>_<name>` folders. Their titles too, so that the branch that moves the
 * history to drizzle-kit 1.0 folders traces nothing that the base already had under a number.
 */
export function migrationsAtRef(
  ref: string,
  migrationsDir: string,
  cwd: string,
): { tags: Set<string>; titles: Set<string> } {
  if (!/^[\w./~^@{}-]+$/.test(ref)) throw new ConfigError(`--since-ref ${JSON.stringify(ref)}: not a git ref`);
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let tags: string[];
  try {
    tags = (
      JSON.parse(git(['show', `${ref}:${migrationsDir}/meta/_journal.json`])) as { entries: { tag: string }[] }
    ).entries.map((e) => e.tag);
  } catch {
    try {
      tags = git(['ls-tree', '-d', '--name-only', `${ref}:${migrationsDir}`])
        .split('\n')
        .filter((name) => folderTime(name) !== undefined);
    } catch (err) {
      const why = String((err as { stderr?: string }).stderr ?? (err as Error).message)
        .trim()
        .split('\n')[0];
      throw new ConfigError(`--since-ref ${ref}: cannot read ${migrationsDir} there (${why})`);
    }
  }
  return { tags: new Set(tags), titles: new Set(tags.map(migrationTitle)) };
}

/** How many migrations form the base: those before the first one the ref (or the database) lacks. */
async function baseCount(
  migrations: Migration[],
  v: { from?: string; 'since-ref'?: string },
  log: (l: string) => void,
): Promise<number> {
  if (v.from && v['since-ref']) throw new ConfigError(`give one of --from, --since-ref; ${USAGE}`);
  if (v.from) {
    const i = migrations.findIndex((m) => m.tag === v.from);
    if (i < 0)
      throw new ConfigError(`--from ${v.from}: no such migration in the journal (e.g. ${migrations.at(-2)?.tag})`);
    return i + 1;
  }
  if (v['since-ref']) {
    const repo = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: MIGRATIONS_DIR,
      encoding: 'utf8',
    }).trim();
    const known = migrationsAtRef(v['since-ref'], relative(repo, MIGRATIONS_DIR), repo);
    const i = migrations.findIndex((m) => !known.tags.has(m.tag) && !known.titles.has(migrationTitle(m.tag)));
    return i < 0 ? migrations.length : i;
  }
  if (!process.env.DATABASE_URL)
    throw new ConfigError(`give --from TAG or --since-ref REF, or DATABASE_URL to trace what it has pending; ${USAGE}`);
  const url = databaseUrlFromEnv();
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'wxyc-migrate-status' } });
  try {
    const plan = planMigrations(migrations, await readApplied(sql));
    log(
      `${maskUrl(url)}: ${plan.pending.length} pending migration(s); the trace runs on a throwaway copy of its schema, not on it`,
    );
    const first = plan.pending[0];
    return first ? migrations.indexOf(first) : migrations.length;
  } finally {
    await sql.end();
  }
}

async function trace(argv: string[], log: { info(m: string): void; error(m: string): void }): Promise<number> {
  const { values } = parseCommandLine(TRACE_COMMAND, argv);
  const rows = parseCount(values.rows!, '--rows', 0);
  const budgetMs = parseMs(values.budget!, '--budget');
  const bigTableRows = parseCount(values['big-rows']!, '--big-rows', 1);
  // Each extra run is rolled back and the fastest reported: the machine's noise, not the
  // migration, makes single runs differ (docs/migrations.md, "What the trace costs").
  const repeat = parseCount(values.repeat!, '--repeat', 1);
  if (repeat > 10) throw new ConfigError(`--repeat ${repeat}: at most 10 runs per migration`);
  const stats = readTableStats(values.stats);
  if (!stats) log.info(`no ${values.stats}: production sizes unknown, nothing is extrapolated (see --export-stats)`);
  const migrations = loadMigrations(MIGRATIONS_DIR);
  const base = await baseCount(migrations, values, log.info);
  if (base >= migrations.length) {
    log.info('no migration to trace');
    return 0;
  }
  log.info(
    `tracing ${migrations.length - base} migration(s) after ${migrations[base - 1]?.tag ?? 'an empty database'} on ${rows} production-shaped rows`,
  );
  const t0 = performance.now();
  const report = await traceMigrations({
    migrations,
    baseCount: base,
    rows,
    stats,
    budgetMs,
    bigTableRows,
    repeat,
    serverUrl: process.env.TRACE_SERVER_URL || undefined,
    log: log.info,
  });
  for (const line of formatTraceReport(report)) console.log(line);
  log.info(
    `wall time ${((performance.now() - t0) / 1000).toFixed(1)} s (setup and seed ${(report.setupMs / 1000).toFixed(1)} s)`,
  );
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (report.error) return TRACE_EXIT.MIGRATION_FAILED;
  return report.failures.length ? TRACE_EXIT.OVER_BUDGET : 0;
}

async function exportStats(argv: string[], log: { info(m: string): void }): Promise<number> {
  const { values } = parseCommandLine(EXPORT_STATS_COMMAND, argv);
  const url = databaseUrlFromEnv();
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'wxyc-migrate-status', default_transaction_read_only: true },
  });
  try {
    const stats = await exportTableStats(sql, maskUrl(url).replace(/\/\/[^@/]*@/, '//'));
    writeFileSync(values.out!, `${JSON.stringify(stats, null, 2)}\n`);
    log.info(`${Object.keys(stats.tables).length} tables written to ${values.out}`);
    return 0;
  } finally {
    await sql.end();
  }
}

/** `init-db.mjs --trace ...` / `--export-stats ...`: exit code in process.exitCode, one clear error. */
export async function runTraceCli(argv: string[]): Promise<void> {
  // --help, or bad arguments: one line, exit 2, before any server starts
  readArgs(argv.includes('--export-stats') ? EXPORT_STATS_COMMAND : TRACE_COMMAND, argv, 'migrate:trace');
  await runJob('migrate:trace', async (log) => {
    try {
      return await (argv.includes('--export-stats') ? exportStats(argv, log) : trace(argv, log));
    } catch (err) {
      if (err instanceof Error && err.name === 'JournalError') throw new JobError(err.message, 12);
      throw err;
    }
  });
}
