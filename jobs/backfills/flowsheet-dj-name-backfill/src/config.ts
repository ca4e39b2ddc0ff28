import { ConfigError, boolEnv, intEnv } from '@wxyc/job-runtime';
import { BACKFILL_FLAGS, checkDbStatementTimeout } from '@wxyc/backfill';

type Env = Record<string, string | undefined>;

export interface BackfillConfig {
  batchSize: number;
  targetMs: number;
  pauseMs: number;
  maxReplicaLagMs: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  dryRun: boolean;
  fallback: string | null;
  reset: boolean;
  retryParked: boolean;
  /** --refresh: re-resolve stored names that differ from the rule (instead of filling NULLs). */
  refresh: boolean;
}

/** The runner's flags and this job's own. */
const ARGS: readonly string[] = [...BACKFILL_FLAGS, '--refresh'];

/** Env and argv of the job; anything malformed is a ConfigError naming the variable. */
export function readConfig(env: Env, argv: readonly string[]): BackfillConfig {
  for (const a of argv) {
    if (!ARGS.includes(a)) {
      throw new ConfigError(
        `unknown argument ${JSON.stringify(a)}: the arguments are --reset (start over), --retry-parked (retry parked rows) and --refresh (re-resolve stored names).`,
      );
    }
  }
  checkDbStatementTimeout(env);
  const refresh = argv.includes('--refresh');
  const targetMs = intEnv(env, 'BACKFILL_TARGET_MS', { default: 300, min: 10, max: 60_000 });
  const fallback = env.BACKFILL_UNRESOLVED_FALLBACK;
  if (fallback !== undefined && fallback.trim() === '' && fallback !== '') {
    throw new ConfigError('BACKFILL_UNRESOLVED_FALLBACK is blank: set a name such as "Unknown DJ", or unset it.');
  }
  if (refresh && fallback) {
    throw new ConfigError('BACKFILL_UNRESOLVED_FALLBACK cannot be used with --refresh: a refresh writes what the DJ-name rule gives, NULL included. Unset it.');
  }
  return {
    batchSize: intEnv(env, 'BACKFILL_BATCH_SIZE', { default: 5000, min: 1 }),
    targetMs,
    pauseMs: intEnv(env, 'BACKFILL_PAUSE_MS', { default: 0, min: 0 }),
    maxReplicaLagMs: intEnv(env, 'BACKFILL_MAX_REPLICA_LAG_MS', { default: 5000, min: 0 }),
    lockTimeoutMs: intEnv(env, 'BACKFILL_LOCK_TIMEOUT_MS', { default: 2000, min: 1 }),
    statementTimeoutMs: intEnv(env, 'BACKFILL_STATEMENT_TIMEOUT_MS', { default: Math.max(5000, targetMs * 10), min: 1 }),
    dryRun: boolEnv(env, 'BACKFILL_DRY_RUN'),
    fallback: fallback ? fallback : null,
    reset: argv.includes('--reset'),
    retryParked: argv.includes('--retry-parked'),
    refresh,
  };
}
