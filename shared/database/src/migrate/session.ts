import type { Sql } from 'postgres';
import { createDbClient } from '../client.js';
import type { MigrateSettings } from './settings.js';

/**
 * application_name of the runner's migrating connection. Pre-flight recognises a backend
 * left by an earlier run by it, so it is fixed (DB_APPLICATION_NAME does not override it).
 */
export const RUNNER_APPLICATION_NAME = 'wxyc-migrate';
/** The same connection until it holds the advisory lock, so pre-flight never takes a waiting runner for a leftover. */
export const WAITING_APPLICATION_NAME = 'wxyc-migrate-waiting';
/** The side connection that watches for blockers and cancels the in-flight statement. */
export const CONTROL_APPLICATION_NAME = 'wxyc-migrate-control';
/** Read-only connection of --status / --dry-run. */
export const STATUS_APPLICATION_NAME = 'wxyc-migrate-status';

type Env = Record<string, string | undefined>;

function connectEnv(env: Env): Env {
  // Only the connect timeout is taken from the job-wide variables; names and timeouts are the runner's.
  return { DB_CONNECT_TIMEOUT_S: env.DB_CONNECT_TIMEOUT_S };
}

/**
 * One connection (max 1): the session advisory lock and every migration run on it. It starts
 * as WAITING_APPLICATION_NAME and takes RUNNER_APPLICATION_NAME once it holds the lock.
 */
export function connectRunner(settings: MigrateSettings, env: Env, onNotice: (msg: string) => void): Sql {
  return createDbClient({
    url: settings.url,
    applicationName: WAITING_APPLICATION_NAME,
    env: connectEnv(env),
    max: 1,
    // Never close it while idle (backoff sleeps reach 30 s): the advisory lock lives in this session.
    idleTimeoutS: 0,
    settings: runnerSessionSettings(settings),
    onnotice: (n) => onNotice(String(n.message)),
  });
}

export function connectSide(settings: MigrateSettings, env: Env, applicationName: string): Sql {
  return createDbClient({
    url: settings.url,
    applicationName,
    env: connectEnv(env),
    max: 1,
    statementTimeoutMs: 10_000,
    settings: {
      lock_timeout: settings.lockTimeout,
      client_connection_check_interval: settings.connectionCheckInterval,
    },
  });
}

/** The session settings of the migrating connection, as the runner sets them. */
export function runnerSessionSettings(settings: MigrateSettings): Record<string, string> {
  return {
    statement_timeout: settings.statementTimeout,
    lock_timeout: settings.lockTimeout,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeout,
    // The server polls the socket while a statement runs and aborts it once the client is
    // gone: a killed runner can no longer leave a backend holding ACCESS EXCLUSIVE for hours.
    client_connection_check_interval: settings.connectionCheckInterval,
  };
}
