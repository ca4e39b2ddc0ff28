import type { Sql } from 'postgres';

/** One relation of the database as the tracing session sees it (uncommitted DDL included). */
export interface RelationState {
  oid: number;
  /** `schema.name` */
  name: string;
  /** pg_class.relkind: r table, p partitioned, i index, m matview */
  kind: string;
  filenode: number;
  /** The table an index belongs to (itself for a table). */
  tableOid: number;
  /** Sequential scans of the table started by this transaction (pg_stat_get_xact_numscans). */
  seqScans: number;
}

export interface CatalogSnapshot {
  relations: Map<number, RelationState>;
  /** `oid:conname` -> validated */
  constraints: Map<string, boolean>;
  /** `oid:attname` of NOT NULL columns */
  notNull: Set<string>;
  /** `oid:mode` of the relation locks this session holds */
  locks: Set<string>;
}

/**
 * Reads the catalog from inside the tracing session, so a rewrite or a lock of the running
 * migration's transaction is visible. Only user relations: the snapshot's own catalog reads
 * take locks on pg_catalog, which are left out.
 */
export async function takeSnapshot(sql: Sql): Promise<CatalogSnapshot> {
  // Constant text (no user input): one round trip returns all four sets as JSON.
  const [row] = await sql.unsafe<{ rels: RelRow[]; cons: ConRow[]; nn: NnRow[]; locks: LockRow[] }[]>(`
    WITH rel AS (
      SELECT c.oid::int8 AS oid, n.nspname || '.' || c.relname AS name, c.relkind::text AS kind,
             c.relfilenode::int8 AS filenode, COALESCE(i.indrelid, c.oid)::int8 AS table_oid,
             CASE WHEN c.relkind IN ('r', 'p', 'm') THEN pg_stat_get_xact_numscans(c.oid) ELSE 0 END AS scans
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
        AND n.nspname NOT LIKE 'pg\\_temp%' AND c.relkind IN ('r', 'p', 'i', 'm')
    )
    SELECT
      (SELECT coalesce(json_agg(rel), '[]') FROM rel) AS rels,
      (SELECT coalesce(json_agg(json_build_object('oid', k.conrelid::int8, 'name', k.conname, 'valid', k.convalidated)), '[]')
         FROM pg_constraint k WHERE k.conrelid IN (SELECT oid FROM rel)) AS cons,
      (SELECT coalesce(json_agg(json_build_object('oid', a.attrelid::int8, 'name', a.attname)), '[]')
         FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
           AND a.attrelid IN (SELECT oid FROM rel WHERE kind IN ('r', 'p'))) AS nn,
      (SELECT coalesce(json_agg(json_build_object('oid', l.relation::int8, 'mode', l.mode)), '[]')
         FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
           AND l.relation IN (SELECT oid FROM rel)) AS locks`);
  return {
    relations: new Map(row!.rels.map((r) => [Number(r.oid), toRelation(r)])),
    constraints: new Map(row!.cons.map((k) => [`${k.oid}:${k.name}`, k.valid])),
    notNull: new Set(row!.nn.map((a) => `${a.oid}:${a.name}`)),
    locks: new Set(row!.locks.map((l) => `${l.oid}:${l.mode}`)),
  };
}

/**
 * The relation locks another backend holds right now (a no-transaction statement such as
 * CREATE INDEX CONCURRENTLY releases its locks when it ends, so they are sampled while it runs).
 */
export async function sampleLocks(observer: Sql, pid: number): Promise<string[]> {
  const rows = await observer<{ oid: string; mode: string }[]>`
    SELECT l.relation::int8::text AS oid, l.mode FROM pg_locks l
    WHERE l.pid = ${pid} AND l.locktype = 'relation' AND l.granted`;
  return rows.map((r) => `${r.oid}:${r.mode}`);
}

interface RelRow {
  oid: number | string;
  name: string;
  kind: string;
  filenode: number | string;
  table_oid: number | string;
  scans: number | string;
}
interface ConRow {
  oid: number;
  name: string;
  valid: boolean;
}
interface NnRow {
  oid: number;
  name: string;
}
interface LockRow {
  oid: number;
  mode: string;
}

const toRelation = (r: RelRow): RelationState => ({
  oid: Number(r.oid),
  name: r.name,
  kind: r.kind,
  filenode: Number(r.filenode),
  tableOid: Number(r.table_oid),
  seqScans: Number(r.scans),
});
