import type { Sql } from 'postgres';
import { endBackendAdvice } from './remediation.js';
import { RUNNER_APPLICATION_NAME } from './session.js';

/** A backend that makes applying migrations now unsafe. */
export interface Offender {
  pid: number | null;
  /** The gid of a prepared transaction (it holds locks with no backend: pid is null). */
  gid: string | null;
  reason: 'access-exclusive-lock' | 'earlier-runner';
  application_name: string | null;
  age_s: number | null;
  mode: string | null;
  granted: boolean | null;
  relation: string | null;
  state: string | null;
  query: string | null;
}

export const GUARDED_SCHEMA = 'wxyc_schema';

/**
 * Backends of this database (other than ours) that hold or wait for ACCESS EXCLUSIVE on a
 * relation of wxyc_schema, and active backends left by an earlier migrate run. Relations are
 * matched by their namespace, not by the text of ::regclass (which drops the schema name when
 * it is on search_path), and only locks of the current database count.
 */
export async function findOffenders(sql: Sql): Promise<Offender[]> {
  const locks = await sql<Offender[]>`
    SELECT l.pid, px.gid, 'access-exclusive-lock' AS reason, a.application_name,
           extract(epoch FROM now() - coalesce(a.xact_start, a.query_start, a.backend_start, px.prepared))::int AS age_s,
           l.mode, l.granted, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS relation,
           a.state, left(a.query, 80) AS query
    FROM pg_locks l
    JOIN pg_class c ON c.oid = l.relation
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    -- A prepared transaction's locks have no pid: find its gid through the lock on its own
    -- transaction id, which shares the virtualtransaction of the relation lock.
    LEFT JOIN LATERAL (
      SELECT p.gid, p.prepared FROM pg_prepared_xacts p JOIN pg_locks x ON x.locktype = 'transactionid' AND x.transactionid = p.transaction
      WHERE l.pid IS NULL AND x.virtualtransaction = l.virtualtransaction LIMIT 1) px ON true
    WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND n.nspname = ${GUARDED_SCHEMA}
      AND l.pid IS DISTINCT FROM pg_backend_pid()
    ORDER BY l.pid, relation`;
  const runners = await sql<Offender[]>`
    SELECT a.pid, NULL AS gid, 'earlier-runner' AS reason, a.application_name,
           extract(epoch FROM now() - coalesce(a.xact_start, a.query_start, a.backend_start))::int AS age_s,
           NULL AS mode, NULL::boolean AS granted, NULL AS relation, a.state, left(a.query, 80) AS query
    FROM pg_stat_activity a
    WHERE a.application_name = ${RUNNER_APPLICATION_NAME} AND a.datname = current_database()
      AND a.pid <> pg_backend_pid() AND a.state IS DISTINCT FROM 'idle'
    ORDER BY a.pid`;
  return [...locks, ...runners];
}

/** The refusal message: who, how old, what lock on what, and how to get rid of it. */
export function describeOffenders(offenders: Offender[]): string {
  const lines = offenders.map((o) => {
    const what =
      o.reason === 'earlier-runner'
        ? `a backend of an earlier migrate run (application_name '${o.application_name}') is still ${o.state ?? 'active'}`
        : `${o.granted ? 'holds' : 'waits for'} ${o.mode} on ${o.relation} (application_name '${o.application_name ?? ''}', state ${o.state ?? 'unknown'})`;
    const q = o.query ? `; query: ${JSON.stringify(o.query.replace(/\s+/g, ' '))}` : '';
    return `  ${o.pid !== null ? `pid ${o.pid}` : `prepared transaction '${o.gid ?? '?'}'`}, age ${o.age_s ?? '?'}s: ${what}${q}`;
  });
  const advice = [
    ...new Map(offenders.map((o) => [o.pid ?? `gid:${o.gid}`, endBackendAdvice(o.pid, o.state, o.gid)])).values(),
  ];
  return [
    `pre-flight refused: nothing was applied. Backends that would block or race the migrations:`,
    ...lines,
    `Remediation: let them finish, or end them: ${advice.join('; ')}. Then deploy again.`,
  ].join('\n');
}
