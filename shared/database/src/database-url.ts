import { ConfigError } from '@wxyc/job-runtime';
import { maskUrl } from './mask-url.js';

type Env = Record<string, string | undefined>;

/** Where a connection goes once postgres-js has filled the URL's gaps (port, user) from PG* variables. */
export interface DatabaseTarget {
  host: string;
  port: string;
  database: string;
  user: string;
}

/**
 * Checks a postgres:// URL names its server and database: postgres-js would otherwise fill a
 * missing host or database from PGHOST / PGDATABASE (or "localhost" / the user name) and
 * a job would run against whatever those name. `name` is the variable it came from.
 */
export function checkDatabaseUrl(url: string, name = 'DATABASE_URL'): DatabaseTarget {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(`${name}=${maskUrl(url)} is not a postgres:// or postgresql:// URL.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      `${name}=${maskUrl(url)} is not a valid URL (percent-encode special characters of the password).`,
    );
  }
  const database = safeDecode(parsed.pathname.replace(/^\//, ''));
  const missing = [!parsed.hostname && 'a host', !database && 'a database name'].filter(Boolean);
  if (missing.length) {
    throw new ConfigError(
      `${name}=${maskUrl(url)} names no ${missing.join(' and no ')}: give both in the URL ` +
        `(postgres://user:password@host:5432/database); PG* variables do not fill them in.`,
    );
  }
  return {
    host: parsed.hostname,
    port: parsed.port || process.env.PGPORT || '5432',
    database,
    user: safeDecode(parsed.username) || process.env.PGUSERNAME || process.env.PGUSER || '(the OS user)',
  };
}

/** "user@host:port/database", for the first line a job prints. */
export function describeTarget(t: DatabaseTarget): string {
  return `${t.user}@${t.host}:${t.port}/${t.database}`;
}

export function databaseUrlFromEnv(env: Env = process.env): string {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) throw new ConfigError('DATABASE_URL is not set: it must be a postgres:// URL of the WXYC database.');
  checkDatabaseUrl(raw);
  return raw;
}

/**
 * postgres-js sends every unknown URL query parameter as a server setting, after (and so over)
 * the client's own: `?lock_timeout=0` would silently switch off a job's guard. Refuse any
 * that names a setting the client sets, directly or through `options=-c name=value`.
 */
export function refuseOverridingParams(url: string, owned: string[]): void {
  const params = new URL(url).searchParams;
  for (const [key, value] of params) {
    const k = key.toLowerCase();
    const viaOptions =
      k === 'options' ? owned.find((name) => new RegExp(`(^|\\s)(-c\\s*|--)${name}\\s*=`, 'i').test(value)) : undefined;
    const hit = owned.includes(k) ? k : viaOptions;
    if (hit) {
      throw new ConfigError(
        `the database URL sets ${hit} (query parameter ${key}), which would override the ${hit} this job sets: ` +
          `remove it from the URL (the job's settings and their variables are in its README, the runner's in docs/migrations.md).`,
      );
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
