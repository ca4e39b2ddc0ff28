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
}

const DURATION = /^(\d+)\s*(us|ms|s|min|h|d)?$/;
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A PostgreSQL duration ("2s", "500ms", "5min"; a bare number is ms) in milliseconds. */
export function durationMs(value: string): number {
  const m = value.trim().match(DURATION);
  if (!m) throw new Error(`not a duration: ${value}`);
  return Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
}

interface DurationBounds {
  fallback: string;
  /** What the setting guarantees; 0 (or less than minMs) would switch it off. */
  guarantee: string;
  minMs: number;
  maxMs: number;
}

/**
 * A duration setting of the runner. 0 turns these PostgreSQL timeouts off, and a huge value
 * is the same in practice, so both are refused: each one is a guarantee the runner makes.
 */
function durationEnv(env: Env, name: string, b: DurationBounds): string {
  const raw = env[name]?.trim();
  if (!raw) return b.fallback;
  if (!DURATION.test(raw)) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is invalid: expected a PostgreSQL duration such as 2s, 500ms or 5min.`,
    );
  }
  const ms = durationMs(raw);
  if (ms < b.minMs || ms > b.maxMs) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is refused: it must be between ${formatMs(b.minMs)} and ${formatMs(b.maxMs)} ` +
        `(${ms === 0 ? '0 switches off' : 'outside that range it defeats'} ${b.guarantee}). Unset it for the default ${b.fallback}.`,
    );
  }
  return raw.replace(/\s+/g, '');
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}min` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** MIGRATE_LOCK_WAIT is seconds ("60") or a duration with a unit ("90s", "2min"). */
function secondsEnv(env: Env, name: string, fallbackS: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallbackS * 1000;
  const m = raw.match(/^(\d+)\s*(ms|s|min)?$/);
  if (!m)
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is invalid: expected seconds (e.g. 60) or a duration (90s, 2min).`,
    );
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'min' ? n * 60_000 : n * 1000;
}

export function readMigrateSettings(env: Env = process.env): MigrateSettings {
  const settings: MigrateSettings = {
    url: databaseUrlFromEnv(env),
    lockWaitMs: secondsEnv(env, 'MIGRATE_LOCK_WAIT', 60),
    statementTimeout: durationEnv(env, 'MIGRATE_STATEMENT_TIMEOUT', {
      fallback: '5min',
      guarantee: 'the bound on how long one migration statement may run',
      minMs: 100,
      maxMs: 6 * 3_600_000,
    }),
    lockTimeout: durationEnv(env, 'MIGRATE_LOCK_TIMEOUT', {
      fallback: '2s',
      guarantee: "the bound on how long a DDL statement queues for its lock while the table's readers queue behind it",
      minMs: 10,
      maxMs: 60_000,
    }),
    idleInTransactionTimeout: durationEnv(env, 'MIGRATE_IDLE_IN_TRANSACTION_TIMEOUT', {
      fallback: '1min',
      guarantee: 'the end of a transaction whose runner stopped talking',
      minMs: 1000,
      maxMs: 3_600_000,
    }),
    connectionCheckInterval: durationEnv(env, 'MIGRATE_CONNECTION_CHECK_INTERVAL', {
      fallback: '2s',
      guarantee: "the server ending a killed runner's statement (client_connection_check_interval)",
      minMs: 100,
      maxMs: 60_000,
    }),
    lockRetries: intEnv(env, 'MIGRATE_LOCK_RETRIES', { default: 10, min: 1, max: 1000 }),
    retryBaseMs: intEnv(env, 'MIGRATE_RETRY_BASE_MS', { default: 1000, min: 0 }),
    retryCapMs: intEnv(env, 'MIGRATE_RETRY_CAP_MS', { default: 30_000, min: 0 }),
    strictHashes: boolEnv(env, 'MIGRATE_STRICT_HASHES', false),
  };
  if (settings.retryCapMs < settings.retryBaseMs) {
    throw new ConfigError(
      `MIGRATE_RETRY_CAP_MS (${settings.retryCapMs}) must be >= MIGRATE_RETRY_BASE_MS (${settings.retryBaseMs}).`,
    );
  }
  return settings;
}
