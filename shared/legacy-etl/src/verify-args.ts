import { ConfigError, parseCommandLine, type CommandSpec } from '@wxyc/job-runtime';

/** The env every legacy ETL reads (README of each job: "Settings"). */
const ETL_ENV: Readonly<Record<string, string>> = {
  DATABASE_URL: 'the PostgreSQL mirror',
  LEGACY_DATABASE_URL: 'the legacy MySQL source (mysql://...)',
  'ETL_BATCH_SIZE, ETL_MAX_ROWS_PER_TICK, ETL_MODIFIED_OVERLAP_S, ETL_EDIT_WINDOW_IDS, ETL_SWEEP_IDS, ETL_OUTLIER_GAP_IDS':
    'paging and catch-up (shared/legacy-etl README)',
  'ETL_VERIFY_ROWS_PER_TICK, ETL_VERIFY_RANGE_IDS, ETL_VERIFY_LAP_TICKS, ETL_VERIFY_MAX_DELETES, ETL_VERIFY_MAX_DELETE_PCT':
    'verification slice and its mass-delete guard',
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
      verify: {
        type: 'boolean',
        description: 'one whole verification pass of the mirror by chunked checksums, reporting drift',
      },
      repair: { type: 'boolean', description: 'with --verify: repair the drift found' },
      'confirm-deleted': {
        type: 'string',
        value: 'TABLE:FROM-TO',
        description:
          'with --verify --repair: delete the rows of a legacy id range deleted in MySQL on purpose (refused otherwise); repeatable',
      },
    },
    ...(opts.dump
      ? {
          positionals: {
            usage: '[DUMP_FILE]',
            max: 1,
            description: 'bulk load from this mysqldump file instead of a tick',
          },
        }
      : {}),
    env: ETL_ENV,
    notes:
      'exit codes: 0 ok, 1 failed, 2 bad arguments or settings, 3 a database unreachable; the job README has its own.',
  };
}

/** A whole range of legacy ids the operator confirmed as deleted in MySQL (`--confirm-deleted TABLE:FROM-TO`). */
export interface DeletedRange {
  /** The legacy table, e.g. FLOWSHEET_ENTRY_PROD. */
  table: string;
  from: number;
  to: number;
}

export interface VerifyMode {
  repair: boolean;
  /** Ranges whose rows may be deleted although MySQL answers no rows for them (never automatic). */
  confirmDeleted: DeletedRange[];
}

const RANGE = /^([A-Z][A-Z0-9_]*):(\d{1,10})-(\d{1,10})$/;

/** `TABLE:FROM-TO` -> a DeletedRange; a ConfigError saying what is wrong otherwise. */
export function parseDeletedRange(text: string): DeletedRange {
  const m = RANGE.exec(text);
  const from = Number(m?.[2]);
  const to = Number(m?.[3]);
  if (!m || from < 1 || to > 2_147_483_647 || from > to) {
    throw new ConfigError(
      `--confirm-deleted ${JSON.stringify(text)} is invalid: expected LEGACY_TABLE:FROM-TO with 1 <= FROM <= TO <= 2147483647, e.g. FLOWSHEET_ENTRY_PROD:1-4200.`,
    );
  }
  return { table: m[1]!, from, to };
}

/**
 * `--verify`, `--verify --repair` (either order), and with --repair any number of
 * `--confirm-deleted TABLE:FROM-TO` -> the on-demand verification pass; null when the arguments
 * ask for something else. `--repair` or `--confirm-deleted` without what they need is refused.
 */
export function verifyMode(args: string[]): VerifyMode | null {
  const mode: VerifyMode = { repair: false, confirmDeleted: [] };
  let verify = false;
  let repeated = false;
  const other: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--verify') [repeated, verify] = [repeated || verify, true];
    else if (a === '--repair') [repeated, mode.repair] = [repeated || mode.repair, true];
    else if (a === '--confirm-deleted') mode.confirmDeleted.push(parseDeletedRange(args[++i] ?? ''));
    else if (a.startsWith('--confirm-deleted='))
      mode.confirmDeleted.push(parseDeletedRange(a.slice('--confirm-deleted='.length)));
    else other.push(a);
  }
  if (!verify && !mode.repair && mode.confirmDeleted.length === 0) return null;
  if (!verify && mode.repair) throw new ConfigError('--repair needs --verify (node dist/job.js --verify --repair).');
  if (!verify)
    throw new ConfigError(
      '--confirm-deleted needs --verify --repair (node dist/job.js --verify --repair --confirm-deleted TABLE:FROM-TO).',
    );
  if (other.length > 0 || repeated)
    throw new ConfigError(`--verify takes only --repair and --confirm-deleted TABLE:FROM-TO, got: ${args.join(' ')}.`);
  if (mode.confirmDeleted.length > 0 && !mode.repair)
    throw new ConfigError('--confirm-deleted deletes rows: it needs --verify --repair.');
  return mode;
}

/** Parses a legacy ETL's arguments: unknown ones refused (UsageError, exit 2), then how they combine. */
export function readEtlArgs(spec: CommandSpec, args: string[]): { verify: VerifyMode | null; dump: string | null } {
  const { positionals } = parseCommandLine(spec, args);
  const verify = verifyMode(args);
  return { verify, dump: verify === null ? (positionals[0] ?? null) : null };
}
