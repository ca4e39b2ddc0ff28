import postgres, { type Options, type Sql } from 'postgres';
import { ConfigError, intEnv, requireEnv } from '@wxyc/job-runtime';
import { maskUrl } from './mask-url.js';

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
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

export function databaseUrlFromEnv(env: Env = process.env): string {
  const url = requireEnv(env, 'DATABASE_URL', 'a postgres:// URL of the WXYC database');
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(`DATABASE_URL=${maskUrl(url)} is not a postgres:// or postgresql:// URL.`);
  }
  return url;
}

/** The one postgres-js client factory every job uses. */
export function createDbClient(opts: DbClientOptions): Sql {
  const env = opts.env ?? process.env;
  const url = opts.url ?? databaseUrlFromEnv(env);
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
  return postgres(url, {
    max: opts.max ?? 4,
    connect_timeout: intEnv(env, 'DB_CONNECT_TIMEOUT_S', { default: 10, min: 1 }),
    idle_timeout: opts.idleTimeoutS ?? 30,
    connection,
    onnotice: opts.onnotice ?? (() => {}),
  });
}
