// Legacy ids retired locally: a job that merges duplicates deletes (or repoints) a mirrored row
// and records the legacy id it retired here, in its own transaction. The import and the
// verification then skip that id for good instead of re-inserting the row (migration 0063).
import type { Sql, TransactionSql } from 'postgres';
import { intArray } from '@wxyc/database';

type Db = Sql | TransactionSql;

const TEXT_ARRAY_OID = 1009;

/** The shared record of retired legacy ids (table, legacy id, reason, job, retired_at, source_hash). */
export const RETIRED_TABLE = 'wxyc_schema.legacy_retired_ids';

/** The mirrored tables and their legacy-id columns: what `retireLegacyIds` accepts. */
export const MIRROR_KEYS: Readonly<Record<string, string>> = {
  'wxyc_schema.shows': 'legacy_show_id',
  'wxyc_schema.flowsheet': 'legacy_entry_id',
  'wxyc_schema.artists': 'legacy_artist_id',
  'wxyc_schema.library': 'legacy_release_id',
  'wxyc_schema.rotation': 'legacy_rotation_id',
};

export interface RetireRequest {
  /** The mirrored table, schema-qualified (a key of MIRROR_KEYS), e.g. 'wxyc_schema.rotation'. */
  table: string;
  /** Legacy ids (the table's legacy-id column) retired. */
  ids: readonly number[];
  /** Why, e.g. 'duplicate of legacy id 12'. */
  reason: string;
  /** The job that retired them. */
  job: string;
  /**
   * A merge: the legacy id of the row (same table) that absorbed them. The mirror then links rows
   * that name a retired id (an entry of a merged show) to this one instead of leaving them waiting.
   */
  successor?: number;
}

/** How many merges a chain of successors may take (a cycle ends there instead of looping). */
const MAX_SUCCESSOR_HOPS = 16;

const isInt4Id = (id: number) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647;

/**
 * Records legacy ids as retired; call it in the transaction that deletes or repoints their rows
 * (before the delete: the row's source_hash is kept with the record, so the verification's sums
 * still agree with MySQL, where the row lives on). An id retired already keeps its first record.
 * Returns how many ids were newly retired.
 */
export async function retireLegacyIds(sql: Db, req: RetireRequest): Promise<number> {
  const key = MIRROR_KEYS[req.table];
  if (key === undefined)
    throw new Error(
      `retireLegacyIds: ${req.table} is not a mirrored table (one of ${Object.keys(MIRROR_KEYS).join(', ')}).`,
    );
  if (req.reason.trim() === '' || req.job.trim() === '')
    throw new Error('retireLegacyIds: reason and job are required.');
  const bad = req.ids.find((id) => !isInt4Id(id));
  if (bad !== undefined) throw new Error(`retireLegacyIds: legacy id ${bad} is not a positive int4.`);
  const successor = req.successor ?? null;
  if (successor !== null && (!isInt4Id(successor) || req.ids.includes(successor)))
    throw new Error(`retireLegacyIds: successor ${successor} must be a positive int4 and not one of the retired ids.`);
  if (req.ids.length === 0) return 0;
  const s = sql as Sql;
  const rows = await s`
    INSERT INTO wxyc_schema.legacy_retired_ids (mirror_table, legacy_id, reason, job, successor_id, source_hash)
    SELECT ${req.table}, v.id, ${req.reason}, ${req.job}, ${successor}::int,
      (SELECT m.source_hash FROM ${s(req.table)} m WHERE m.${s(key)} = v.id)
    FROM unnest(${intArray(s, [...new Set(req.ids)])}) AS v(id)
    ON CONFLICT (mirror_table, legacy_id) DO NOTHING
    RETURNING legacy_id`;
  return rows.length;
}

/** Of these legacy ids of a mirrored table, the retired ones. */
export async function retiredAmong(
  sql: Db,
  table: string,
  ids: readonly (number | null | undefined)[],
): Promise<Set<number>> {
  const wanted = [...new Set(ids.filter((x): x is number => typeof x === 'number'))];
  if (wanted.length === 0) return new Set();
  const s = sql as Sql;
  const rows = await s<{ id: number }[]>`
    SELECT legacy_id AS id FROM wxyc_schema.legacy_retired_ids WHERE mirror_table = ${table} AND legacy_id = ANY(${intArray(s, wanted)})`;
  return new Set(rows.map((r) => r.id));
}

/**
 * Of these legacy ids of a table, the ones merged into another: retired id -> the legacy id that
 * absorbed it, following merges of merges to the last one (at most MAX_SUCCESSOR_HOPS).
 */
export async function successorsOf(sql: Db, table: string, ids: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const s = sql as Sql;
  const rows = await s<{ id: number; successor: number }[]>`
    WITH RECURSIVE chain(asked, at, hops) AS (
      SELECT r.legacy_id, r.successor_id, 1
      FROM wxyc_schema.legacy_retired_ids r
      WHERE r.mirror_table = ${table} AND r.legacy_id = ANY(${intArray(s, wanted)}) AND r.successor_id IS NOT NULL
      UNION ALL
      SELECT c.asked, r.successor_id, c.hops + 1
      FROM chain c JOIN wxyc_schema.legacy_retired_ids r ON r.mirror_table = ${table} AND r.legacy_id = c.at
      WHERE r.successor_id IS NOT NULL AND c.hops < ${MAX_SUCCESSOR_HOPS})
    SELECT DISTINCT ON (asked) asked AS id, at AS successor FROM chain ORDER BY asked, hops DESC`;
  return new Map(rows.map((r) => [r.id, r.successor]));
}

/**
 * Verification found retired ids differing: their records take the legacy row's hash as it is
 * now (null: the row is gone from MySQL), so the next lap's sums agree and nothing is re-imported.
 */
export async function settleRetired(sql: Db, table: string, hashes: ReadonlyMap<number, number | null>): Promise<void> {
  if (hashes.size === 0) return;
  const s = sql as Sql;
  const ids = [...hashes.keys()];
  await s`
    UPDATE wxyc_schema.legacy_retired_ids r SET source_hash = v.h::bigint
    FROM unnest(${intArray(s, ids)}, ${s.array(ids.map((id) => hashes.get(id)?.toString() ?? null) as string[], TEXT_ARRAY_OID)}::text[]) AS v(id, h)
    WHERE r.mirror_table = ${table} AND r.legacy_id = v.id`;
}
