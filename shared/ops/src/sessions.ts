import type { Sql } from 'postgres';

export const GUARDED_SCHEMA = 'wxyc_schema';

export interface SessionInfo {
  pid: number;
  applicationName: string;
  state: string | null;
  /** Seconds since the transaction began. */
  xactAgeS: number | null;
  query: string | null;
}

export interface LockHolder extends SessionInfo {
  relation: string;
  waiters: (SessionInfo & { waitS: number | null })[];
}

export interface SessionReport {
  accessExclusive: LockHolder[];
  idleInTransaction: SessionInfo[];
  longTransactions: SessionInfo[];
}

const COLUMNS = (sql: Sql) => sql`
  a.pid, coalesce(a.application_name, '') AS "applicationName", a.state,
  extract(epoch FROM now() - a.xact_start)::int AS "xactAgeS", left(regexp_replace(a.query, '\\s+', ' ', 'g'), 100) AS query`;

/**
 * Sessions of this database that matter for wxyc_schema: ACCESS EXCLUSIVE holders on its
 * relations with the sessions waiting behind them, and transactions that hold any lock on
 * it while idle for over idleS seconds or running for over longS seconds.
 */
export async function readSessions(sql: Sql, idleS: number, longS: number): Promise<SessionReport> {
  const holders = await sql<(SessionInfo & { relation: string })[]>`
    SELECT ${COLUMNS(sql)}, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS relation
    FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND n.nspname = ${GUARDED_SCHEMA} AND a.pid <> pg_backend_pid()
    ORDER BY a.xact_start, relation`;
  const waiters = await sql<(SessionInfo & { blockers: number[]; waitS: number | null })[]>`
    SELECT ${COLUMNS(sql)}, pg_blocking_pids(a.pid) AS blockers,
           extract(epoch FROM now() - (SELECT min(w.waitstart) FROM pg_locks w WHERE w.pid = a.pid AND NOT w.granted))::int AS "waitS"
    FROM pg_stat_activity a
    WHERE a.datname = current_database() AND cardinality(pg_blocking_pids(a.pid)) > 0
    ORDER BY a.pid`;
  const lingering = await sql<(SessionInfo & { idle: boolean })[]>`
    SELECT ${COLUMNS(sql)}, a.state LIKE 'idle in transaction%' AS idle
    FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL
      AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE l.pid = a.pid AND n.nspname = ${GUARDED_SCHEMA})
      AND ((a.state LIKE 'idle in transaction%' AND a.state_change < now() - make_interval(secs => ${idleS}))
           OR (a.state NOT LIKE 'idle in transaction%' AND a.xact_start < now() - make_interval(secs => ${longS})))
    ORDER BY a.xact_start`;
  const strip = <T extends { blockers?: unknown; idle?: unknown }>({ blockers: _b, idle: _i, ...rest }: T) => rest;
  return {
    accessExclusive: holders.map((h) => ({
      ...h,
      waiters: waiters.filter((w) => w.blockers.includes(h.pid)).map(strip),
    })),
    idleInTransaction: lingering.filter((s) => s.idle).map(strip),
    longTransactions: lingering.filter((s) => !s.idle).map(strip),
  };
}

/** Sessions holding ACCESS EXCLUSIVE on `relation` (e.g. 'wxyc_schema.job_runs'): who blocks a read of it. */
export async function lockHolders(sql: Sql, relation: string): Promise<SessionInfo[]> {
  return sql<SessionInfo[]>`
    SELECT ${COLUMNS(sql)}
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted
      AND l.relation = to_regclass(${relation}) AND a.pid <> pg_backend_pid()
    ORDER BY a.xact_start`;
}
