import { boolEnv, intEnv, parseCommandLine, type CommandSpec, type OptionSpec } from '@wxyc/job-runtime';
import { BACKFILL_FLAGS, checkDbStatementTimeout } from './settings.js';

type Env = Record<string, string | undefined>;

/** The settings every backfill job reads from its env and arguments (README: "Settings"). */
export interface BackfillSettings {
  batchSize: number;
  targetMs: number;
  pauseMs: number;
  maxReplicaLagMs: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  dryRun: boolean;
  reset: boolean;
  retryParked: boolean;
}

const SHARED_FLAGS: Readonly<Record<(typeof BACKFILL_FLAGS)[number], string>> = {
  '--reset': 'start over',
  '--retry-parked': 'retry parked rows',
};

/** The env every backfill job reads (README: "Settings"). */
export const BACKFILL_ENV: Readonly<Record<string, string>> = {
  DATABASE_URL: 'the database',
  BACKFILL_BATCH_SIZE: 'rows per first batch (default 5000; then sized to BACKFILL_TARGET_MS)',
  BACKFILL_TARGET_MS: 'target time per batch (default 300)',
  BACKFILL_PAUSE_MS: 'pause between batches (default 0)',
  BACKFILL_MAX_REPLICA_LAG_MS: 'wait while a replica lags more (default 5000)',
  BACKFILL_LOCK_TIMEOUT_MS: 'lock_timeout of a batch (default 2000)',
  BACKFILL_STATEMENT_TIMEOUT_MS: 'statement_timeout of a batch (default 10 x BACKFILL_TARGET_MS, at least 5000)',
  BACKFILL_DRY_RUN: 'true: count and report, write nothing',
  DB_STATEMENT_TIMEOUT_MS: "statement_timeout of the job's own queries (>= 1000)",
};

/** What `node dist/job.js --help` of a backfill says: the shared flags and settings plus the job's own. */
export interface BackfillHelp {
  summary: string;
  /** The job's own flags (`--refresh`) with what each does. */
  flags?: Readonly<Record<string, string>>;
  /** The job's own env vars. */
  env?: Readonly<Record<string, string>>;
}

/** The command line of a backfill job, for the shared parser (@wxyc/job-runtime args). */
export function backfillCommand(help: BackfillHelp): CommandSpec {
  const flags: Record<string, string> = { ...SHARED_FLAGS, ...help.flags };
  const options = Object.fromEntries(
    Object.entries(flags).map(([f, d]): [string, OptionSpec] => [
      f.replace(/^--/, ''),
      { type: 'boolean', description: d },
    ]),
  );
  return {
    command: 'node dist/job.js',
    summary: help.summary,
    options,
    env: { ...BACKFILL_ENV, ...help.env },
    notes:
      'exit codes: 0 done, 1 failed, 2 bad arguments or settings, 3 database unreachable, 11 work left, 130 interrupted (run again to resume).',
  };
}

/**
 * Reads the shared settings; `ownFlags` are the job's arguments beyond --reset and --retry-parked,
 * with their help text. Anything malformed is a ConfigError naming the variable or argument.
 */
export function readBackfillSettings(
  env: Env,
  argv: readonly string[],
  ownFlags: Readonly<Record<string, string>> = {},
): BackfillSettings {
  parseCommandLine(backfillCommand({ summary: '', flags: ownFlags }), argv);
  checkDbStatementTimeout(env);
  const targetMs = intEnv(env, 'BACKFILL_TARGET_MS', { default: 300, min: 10, max: 60_000 });
  return {
    batchSize: intEnv(env, 'BACKFILL_BATCH_SIZE', { default: 5000, min: 1 }),
    targetMs,
    pauseMs: intEnv(env, 'BACKFILL_PAUSE_MS', { default: 0, min: 0 }),
    maxReplicaLagMs: intEnv(env, 'BACKFILL_MAX_REPLICA_LAG_MS', { default: 5000, min: 0 }),
    lockTimeoutMs: intEnv(env, 'BACKFILL_LOCK_TIMEOUT_MS', { default: 2000, min: 1 }),
    statementTimeoutMs: intEnv(env, 'BACKFILL_STATEMENT_TIMEOUT_MS', {
      default: Math.max(5000, targetMs * 10),
      min: 1,
    }),
    dryRun: boolEnv(env, 'BACKFILL_DRY_RUN'),
    reset: argv.includes('--reset'),
    retryParked: argv.includes('--retry-parked'),
  };
}
