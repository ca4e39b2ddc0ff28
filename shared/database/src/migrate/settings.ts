import { ConfigError, boolEnv, intEnv } from '@wxyc/job-runtime';
import { databaseUrlFromEnv } from '../client.js';

type Env = Record<string, string | undefined>;

/** Everything the runner reads from the environment, validated up front. */
export interface MigrateSettings {
  url: string;
  /** How long a second runner waits for the advisory lock before giving up (ms). */
  lockWaitMs: number;
  /** Session statement_timeout; a migration opts in to more with SET LOCAL. */
  statementTimeout: string;
  /** lock_timeout of every migration statement: a DDL queued behind a lock blocks the table. */
  lockTimeout: string;
  idleInTransactionTimeout: string;
  /** How often the server checks that the client is still there while a statement runs. */
  connectionCheckInterval: string;
  /** Attempts per migration when it hits lock_timeout (55P03). */
  lockRetries: number;
  retryBaseMs: number;
  retryCapMs: number;
  strictHashes: boolean;
  skipSeed: boolean;
}

const DURATION = /^\d+\s*(us|ms|s|min|h|d)?$/;

function durationEnv(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!DURATION.test(raw)) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected a PostgreSQL duration such as 2s, 500ms or 5min.`);
  }
  return raw.replace(/\s+/g, '');
}

/** MIGRATE_LOCK_WAIT is seconds ("60") or a duration with a unit ("90s", "2min"). */
function secondsEnv(env: Env, name: string, fallbackS: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallbackS * 1000;
  const m = raw.match(/^(\d+)\s*(ms|s|min)?$/);
  if (!m) throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected seconds (e.g. 60) or a duration (90s, 2min).`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'min' ? n * 60_000 : n * 1000;
}

export function readMigrateSettings(env: Env = process.env): MigrateSettings {
  const settings: MigrateSettings = {
    url: databaseUrlFromEnv(env),
    lockWaitMs: secondsEnv(env, 'MIGRATE_LOCK_WAIT', 60),
    statementTimeout: durationEnv(env, 'MIGRATE_STATEMENT_TIMEOUT', '5min'),
    lockTimeout: durationEnv(env, 'MIGRATE_LOCK_TIMEOUT', '2s'),
    idleInTransactionTimeout: durationEnv(env, 'MIGRATE_IDLE_IN_TRANSACTION_TIMEOUT', '1min'),
    connectionCheckInterval: durationEnv(env, 'MIGRATE_CONNECTION_CHECK_INTERVAL', '2s'),
    lockRetries: intEnv(env, 'MIGRATE_LOCK_RETRIES', { default: 10, min: 1, max: 1000 }),
    retryBaseMs: intEnv(env, 'MIGRATE_RETRY_BASE_MS', { default: 1000, min: 0 }),
    retryCapMs: intEnv(env, 'MIGRATE_RETRY_CAP_MS', { default: 30_000, min: 0 }),
    strictHashes: boolEnv(env, 'MIGRATE_STRICT_HASHES', false),
    skipSeed: env.SKIP_SEED?.trim() === 'true',
  };
  if (settings.retryCapMs < settings.retryBaseMs) {
    throw new ConfigError(`MIGRATE_RETRY_CAP_MS (${settings.retryCapMs}) must be >= MIGRATE_RETRY_BASE_MS (${settings.retryBaseMs}).`);
  }
  return settings;
}
