import type { CatalogSnapshot, RelationState } from './snapshot.js';

/** A relation lock a statement took (a mode it did not hold before). */
export interface TakenLock {
  relation: string;
  /** The table the relation is or belongs to. */
  table: string;
  isTable: boolean;
  mode: string;
  /** Created by this migration: invisible to other sessions, so its lock blocks no one. */
  created: boolean;
}

export interface TableScan {
  table: string;
  /** What PostgreSQL was checking: a constraint, a NOT NULL, or a query of the statement. */
  reason: string;
}

/** What one statement did to the relations that existed before its migration. */
export interface StatementEffects {
  locks: TakenLock[];
  /** Existing tables/indexes whose relfilenode changed: rewritten (or rebuilt) in full. */
  rewrites: { relation: string; table: string }[];
  scans: TableScan[];
}

const splitKey = (key: string): [number, string] => {
  const at = key.indexOf(':');
  return [Number(key.slice(0, at)), key.slice(at + 1)];
};

/**
 * Compares the catalog before and after one statement. `start` is the catalog when the
 * migration began: only relations in it can block anyone else. `sampled` adds locks seen
 * while the statement ran (those a no-transaction statement has released by the end).
 */
export function diffSnapshots(
  start: CatalogSnapshot,
  before: CatalogSnapshot,
  after: CatalogSnapshot,
  sampled: Iterable<string> = [],
): StatementEffects {
  const rel = (oid: number): RelationState | undefined =>
    after.relations.get(oid) ?? before.relations.get(oid) ?? start.relations.get(oid);
  const tableName = (r: RelationState | undefined): string => (r ? (rel(r.tableOid)?.name ?? r.name) : '?');

  const locks: TakenLock[] = [];
  const seen = new Set<string>();
  for (const key of [...after.locks, ...sampled]) {
    if (before.locks.has(key) || seen.has(key)) continue;
    seen.add(key);
    const [oid, mode] = splitKey(key);
    const r = rel(oid);
    if (!r) continue; // a catalog or another database's relation
    locks.push({
      relation: r.name,
      table: tableName(r),
      isTable: r.kind !== 'i',
      mode,
      created: !start.relations.has(oid),
    });
  }

  const rewrites: StatementEffects['rewrites'] = [];
  const rewrittenTables = new Set<string>();
  for (const [oid, was] of before.relations) {
    const now = after.relations.get(oid);
    if (!now || !start.relations.has(oid) || now.filenode === was.filenode || was.filenode === 0) continue;
    rewrites.push({ relation: now.name, table: tableName(now) });
    rewrittenTables.add(tableName(now));
  }

  const scans: TableScan[] = [];
  for (const [oid, now] of after.relations) {
    const was = before.relations.get(oid);
    if (
      !was ||
      !start.relations.has(oid) ||
      now.kind === 'i' ||
      now.seqScans <= was.seqScans ||
      rewrittenTables.has(now.name)
    )
      continue;
    scans.push({ table: now.name, reason: scanReason(oid, before, after) });
  }
  return { locks, rewrites, scans };
}

function scanReason(oid: number, before: CatalogSnapshot, after: CatalogSnapshot): string {
  // First: PostgreSQL 18 also records a NOT NULL as a (validated) constraint.
  const notNull = [...after.notNull]
    .filter((k) => k.startsWith(`${oid}:`) && !before.notNull.has(k))
    .map((k) => splitKey(k)[1]);
  if (notNull.length) return `NOT NULL check of ${notNull.join(', ')}`;
  const validated = [...after.constraints]
    .filter(([k, valid]) => k.startsWith(`${oid}:`) && valid && before.constraints.get(k) !== true)
    .map(([k]) => splitKey(k)[1]);
  if (validated.length) return `validating constraint ${validated.join(', ')}`;
  return 'a query of the statement';
}
