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
  reset: boolean;
  retryParked: boolean;
}

/** Env and argv of the job (the dj_name job's settings, without a fallback: every row resolves). */
export function readConfig(env: Env, argv: readonly string[]): BackfillConfig {
  for (const a of argv) {
    if (!(BACKFILL_FLAGS as readonly string[]).includes(a)) {
      throw new ConfigError(`unknown argument ${JSON.stringify(a)}: the arguments are --reset (start over) and --retry-parked (retry parked rows).`);
    }
  }
  if (env.BACKFILL_UNRESOLVED_FALLBACK !== undefined) {
    throw new ConfigError('BACKFILL_UNRESOLVED_FALLBACK is not a setting of this job (every row has a search_doc): unset it.');
  }
  checkDbStatementTimeout(env);
  const targetMs = intEnv(env, 'BACKFILL_TARGET_MS', { default: 300, min: 10, max: 60_000 });
  return {
    batchSize: intEnv(env, 'BACKFILL_BATCH_SIZE', { default: 5000, min: 1 }),
    targetMs,
    pauseMs: intEnv(env, 'BACKFILL_PAUSE_MS', { default: 0, min: 0 }),
    maxReplicaLagMs: intEnv(env, 'BACKFILL_MAX_REPLICA_LAG_MS', { default: 5000, min: 0 }),
    lockTimeoutMs: intEnv(env, 'BACKFILL_LOCK_TIMEOUT_MS', { default: 2000, min: 1 }),
    statementTimeoutMs: intEnv(env, 'BACKFILL_STATEMENT_TIMEOUT_MS', { default: Math.max(5000, targetMs * 10), min: 1 }),
    dryRun: boolEnv(env, 'BACKFILL_DRY_RUN'),
    reset: argv.includes('--reset'),
    retryParked: argv.includes('--retry-parked'),
  };
}
