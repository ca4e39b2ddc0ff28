import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { ConfigError, EXIT, JobError, isUnreachable, requireEnv } from '@wxyc/job-runtime';
import { maskUrl } from '@wxyc/database';

type Env = Record<string, string | undefined>;

export type LegacyRow = Record<string, unknown>;

/** One row of MySQL/MariaDB EXPLAIN (the columns we look at). */
export interface ExplainRow {
  table: string;
  type: string;
  key: string | null;
  rows: number;
  Extra: string | null;
}

/** The legacy MySQL, read-only and parameterised: every value is a `?` placeholder. */
export interface LegacySource {
  /** The URL with its password masked, for logs. */
  readonly url: string;
  query<T extends LegacyRow = LegacyRow>(sql: string, params?: unknown[]): Promise<T[]>;
  explain(sql: string, params?: unknown[]): Promise<ExplainRow[]>;
  close(): Promise<void>;
}

export function legacyUrlFromEnv(env: Env = process.env): string {
  const url = requireEnv(env, 'LEGACY_DATABASE_URL', 'a mysql:// URL of the legacy database');
  if (!/^(mysql|mariadb):\/\//.test(url)) {
    throw new ConfigError(`LEGACY_DATABASE_URL=${maskUrl(url)} is not a mysql:// URL.`);
  }
  return url;
}

/**
 * Opens one connection (reads are sequential). BIGINT epoch-ms times come back as numbers
 * (they are far below 2^53); text is decoded as UTF-8 (utf8mb4 is a superset of the tables' utf8).
 * Failing to connect is a JobError: exit 3 when the server cannot be reached, 2 when it
 * refuses the credentials or the database name.
 */
export async function connectLegacy(url: string, opts: { connectTimeoutMs?: number } = {}): Promise<LegacySource> {
  const masked = maskUrl(url);
  let conn: Connection;
  try {
    conn = await mysql.createConnection({
      uri: url.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: false,
      dateStrings: true,
      connectTimeout: opts.connectTimeoutMs ?? 10_000,
    });
  } catch (err) {
    throw connectError(err, masked);
  }
  return {
    url: masked,
    async query<T extends LegacyRow>(sql: string, params: unknown[] = []) {
      try {
        const [rows] = await conn.query<RowDataPacket[]>(sql, params);
        return rows as T[];
      } catch (err) {
        throw queryError(err, masked);
      }
    },
    async explain(sql: string, params: unknown[] = []) {
      try {
        const [rows] = await conn.query<RowDataPacket[]>(`EXPLAIN ${sql}`, params);
        return rows.map((r) => ({ ...r, rows: Number(r.rows) }) as ExplainRow);
      } catch (err) {
        throw queryError(err, masked);
      }
    },
    async close() {
      await conn.end().catch(() => conn.destroy());
    },
  };
}

function connectError(err: unknown, masked: string): Error {
  const e = err as { code?: string; message?: string };
  const why = e.message || e.code || String(err);
  if (isUnreachable(err) || e.code === 'PROTOCOL_CONNECTION_LOST') {
    return new JobError(
      `legacy MySQL at ${masked} is unreachable: ${why}. Check LEGACY_DATABASE_URL and the network.`,
      EXIT.UNREACHABLE,
    );
  }
  if (e.code === 'ER_ACCESS_DENIED_ERROR' || e.code === 'ER_BAD_DB_ERROR' || e.code === 'ER_DBACCESS_DENIED_ERROR') {
    return new JobError(
      `legacy MySQL at ${masked} refused the connection: ${why}. Fix LEGACY_DATABASE_URL.`,
      EXIT.CONFIG,
    );
  }
  return new JobError(`cannot connect to legacy MySQL at ${masked}: ${why}`, EXIT.UNREACHABLE);
}

// The source stopped the statement (KILL QUERY, a statement timeout, a shutdown): a failure of
// the source like a lost connection, not of this job.
const SOURCE_STOPPED = new Set([
  'ER_QUERY_INTERRUPTED',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

/**
 * Every query error names MySQL, so it is not taken for PostgreSQL. A lost connection or a
 * statement the server stopped is exit 3 (the source failed); anything else exit 1.
 */
function queryError(err: unknown, masked: string): Error {
  const e = err as { fatal?: boolean; code?: string; message?: string };
  const why = `${e.message || e.code}${e.code && e.message ? ` (${e.code})` : ''}`;
  if (e.fatal || isUnreachable(err)) {
    return new JobError(
      `lost the connection to legacy MySQL at ${masked}: ${why}. Committed batches are kept; the next tick resumes.`,
      EXIT.UNREACHABLE,
    );
  }
  if (e.code && SOURCE_STOPPED.has(e.code)) {
    return new JobError(
      `legacy MySQL at ${masked} stopped the query: ${why}. Committed batches are kept; the next tick resumes.`,
      EXIT.UNREACHABLE,
    );
  }
  if (e.code) return new JobError(`legacy MySQL at ${masked} failed a query: ${why}`, EXIT.FAILED);
  return err as Error;
}
