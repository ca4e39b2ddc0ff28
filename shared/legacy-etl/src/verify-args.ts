import { ConfigError, parseCommandLine, type CommandSpec } from '@wxyc/job-runtime';

/** The env every legacy ETL reads (README of each job: "Settings"). */
const ETL_ENV: Readonly<Record<string, string>> = {
  DATABASE_URL: 'the PostgreSQL mirror',
  LEGACY_DATABASE_URL: 'the legacy MySQL source (mysql://...)',
  'ETL_BATCH_SIZE, ETL_MAX_ROWS_PER_TICK, ETL_MODIFIED_OVERLAP_S, ETL_EDIT_WINDOW_IDS, ETL_SWEEP_IDS': 'paging and catch-up (shared/legacy-etl README)',
  'ETL_VERIFY_ROWS_PER_TICK, ETL_VERIFY_RANGE_IDS, ETL_VERIFY_LAP_TICKS, ETL_VERIFY_MAX_DELETES, ETL_VERIFY_MAX_DELETE_PCT': 'verification slice and its mass-delete guard',
  'DB_STATEMENT_TIMEOUT_MS, DB_CONNECT_TIMEOUT_S, DB_APPLICATION_NAME': 'the PostgreSQL client',
  'SENTRY_DSN, SENTRY_ENVIRONMENT': 'cron monitor and errors (optional)',
};

/**
 * The command line of a legacy ETL job (`node dist/job.js`): no argument = a tick, `--verify
 * [--repair]` = a whole verification pass; with `dump`, one positional = a bulk load of that file.
 */
export function etlCommand(summary: string, opts: { dump?: boolean } = {}): CommandSpec {
  return {
    command: 'node dist/job.js',
    summary,
    options: {
      verify: { type: 'boolean', description: 'one whole verification pass of the mirror by chunked checksums, reporting drift' },
      repair: { type: 'boolean', description: 'with --verify: repair the drift found' },
    },
    ...(opts.dump ? { positionals: { usage: '[DUMP_FILE]', max: 1, description: 'bulk load from this mysqldump file instead of a tick' } } : {}),
    env: ETL_ENV,
    notes: 'exit codes: 0 ok, 1 failed, 2 bad arguments or settings, 3 a database unreachable; the job README has its own.',
  };
}

/**
 * `--verify` or `--verify --repair` (either order) -> the on-demand verification pass; null when
 * the arguments ask for something else. `--repair` alone, or with other arguments, is refused.
 * Unknown flags are the parser's (etlCommand); this is the rule of how the known ones combine.
 */
export function verifyMode(args: string[]): { repair: boolean } | null {
  const flags = new Set(args.filter((a) => a === '--verify' || a === '--repair'));
  if (flags.size === 0) return null;
  if (!flags.has('--verify')) throw new ConfigError('--repair needs --verify (node dist/job.js --verify --repair).');
  const other = args.filter((a) => a !== '--verify' && a !== '--repair');
  if (other.length > 0 || args.length !== flags.size) throw new ConfigError(`--verify takes only --repair, got: ${args.join(' ')}.`);
  return { repair: flags.has('--repair') };
}

/** Parses a legacy ETL's arguments: unknown ones refused (UsageError, exit 2), then how they combine. */
export function readEtlArgs(spec: CommandSpec, args: string[]): { verify: { repair: boolean } | null; dump: string | null } {
  const { positionals } = parseCommandLine(spec, args);
  const verify = verifyMode(args);
  return { verify, dump: verify === null ? (positionals[0] ?? null) : null };
}
