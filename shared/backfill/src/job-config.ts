import { ConfigError, boolEnv, intEnv } from '@wxyc/job-runtime';
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

/** "a, b and c" */
const list = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/**
 * Reads the shared settings; `ownFlags` are the job's arguments beyond --reset and --retry-parked,
 * with their help text. Anything malformed is a ConfigError naming the variable or argument.
 */
export function readBackfillSettings(env: Env, argv: readonly string[], ownFlags: Readonly<Record<string, string>> = {}): BackfillSettings {
  const flags: Record<string, string> = { ...SHARED_FLAGS, ...ownFlags };
  for (const a of argv) {
    if (!(a in flags)) {
      const help = Object.entries(flags).map(([f, h]) => `${f} (${h})`);
      throw new ConfigError(`unknown argument ${JSON.stringify(a)}: the arguments are ${list(help)}.`);
    }
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
