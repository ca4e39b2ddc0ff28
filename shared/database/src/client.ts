import postgres, { type Options, type Sql } from 'postgres';
import { intEnv, processShutdownSignal } from '@wxyc/job-runtime';
import { connectGuard } from './connect-guard.js';
import { recordGoodbyes } from './connection-lost.js';
import type { ServerGoodbye } from './server-goodbye.js';
import { checkDatabaseUrl, databaseUrlFromEnv, describeTarget, refuseOverridingParams } from './database-url.js';

export { databaseUrlFromEnv } from './database-url.js';

type Env = Record<string, string | undefined>;

export interface DbClientOptions {
  /** Shows up in pg_stat_activity, so an operator can tell which job a backend belongs to. */
  applicationName: string;
  /** Defaults to env DATABASE_URL. */
  url?: string;
  /** Per-connection statement_timeout; env DB_STATEMENT_TIMEOUT_MS overrides the job's default. */
  statementTimeoutMs?: number;
  /** Extra server settings sent at connect time (e.g. lock_timeout). */
  settings?: Record<string, string | number>;
  max?: number;
  /** Seconds before an idle connection is closed (default 30); 0 keeps it open, as a session lock needs. */
  idleTimeoutS?: number;
  env?: Env;
  onnotice?: Options<never>['onnotice'];
  /** Stops a connect attempt in progress; defaults to the process's SIGTERM/SIGINT (processShutdownSignal). */
  signal?: AbortSignal;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

/** The one postgres-js client factory every job uses. */
export function createDbClient(opts: DbClientOptions): Sql {
  const env = opts.env ?? process.env;
  const url = opts.url ?? databaseUrlFromEnv(env);
  const target = checkDatabaseUrl(url);
  const statementTimeoutMs = intEnv(env, 'DB_STATEMENT_TIMEOUT_MS', {
    default: opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    min: 0,
  });
  const applicationName = env.DB_APPLICATION_NAME?.trim() || opts.applicationName;
  const connection: Record<string, string> = {
    application_name: applicationName,
    statement_timeout: String(statementTimeoutMs),
  };
  for (const [k, v] of Object.entries(opts.settings ?? {})) connection[k] = String(v);
  refuseOverridingParams(url, Object.keys(connection));
  const connectTimeoutS = intEnv(env, 'DB_CONNECT_TIMEOUT_S', { default: 10, min: 1, max: 600 });
  const goodbyes: ServerGoodbye[] = [];
  const guard = connectGuard({
    connectTimeoutS,
    target: describeTarget(target),
    signal: opts.signal ?? processShutdownSignal(),
    onGoodbye: (g) => goodbyes.splice(0, goodbyes.length, g),
  });
  const sql = postgres(url, {
    max: opts.max ?? 4,
    connect_timeout: connectTimeoutS,
    idle_timeout: opts.idleTimeoutS ?? 30,
    connection,
    onnotice: opts.onnotice ?? (() => {}),
    // `socket` is a documented postgres-js option its type definitions leave out.
    ...({ socket: guard.socket } as object),
  });
  recordGoodbyes(sql, goodbyes);
  // postgres-js keeps a reserve() it rejected on a failed connect queued, re-dials for it, and
  // end() then waits its whole timeout for that dial. With no socket open nothing can be
  // flushed, so end at once.
  const end = sql.end.bind(sql);
  sql.end = (o) => end(guard.open() === 0 ? { timeout: 0 } : o);
  return sql;
}
