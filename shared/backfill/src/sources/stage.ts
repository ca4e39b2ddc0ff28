import { EXIT, JobError } from '@wxyc/job-runtime';
import type { SourceRecord } from './source.js';

/** A column of the staged relation: a record field and the SQL type it is read as. */
export interface StagedColumn {
  name: string;
  /** A PostgreSQL type as written in DDL: `bigint`, `text`, `timestamptz`, `varchar(255)`, `numeric(10,2)`, `integer[]`, `wxyc_schema.kind`. */
  type: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
// words, an optional schema, an optional (n[,m]) modifier, array brackets; nothing that could end the list
const TYPE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?( [A-Za-z_][A-Za-z0-9_]*)*(\(\d+(, ?\d+)?\))?(\[\])*$/;

/** Why a column list cannot be staged, or null. Names are record fields, so any case is kept. */
export function stagedColumnsProblem(columns: readonly StagedColumn[]): string | null {
  if (columns.length === 0) return 'no columns to stage';
  const seen = new Set<string>();
  for (const c of columns) {
    if (!IDENT.test(c.name)) return `column name ${JSON.stringify(c.name)} is not a plain identifier`;
    if (!TYPE.test(c.type.trim())) return `column ${c.name}: type ${JSON.stringify(c.type)} is not a type name`;
    if (seen.has(c.name)) return `column ${c.name} is listed twice`;
    seen.add(c.name);
  }
  return null;
}

/**
 * `jsonb_to_recordset($n::jsonb) AS alias("id" bigint, ...)`: the batch as a relation, read in the
 * statement that writes it (one parameter, no temp table, so any connection of the pool sees it).
 * Names are quoted: they match the JSON keys exactly, case included.
 */
export function recordsetSql(columns: readonly StagedColumn[], param = 1, alias = 's'): string {
  const problem = stagedColumnsProblem(columns);
  if (problem) throw new JobError(`staging: ${problem}`, EXIT.CONFIG);
  const list = columns.map((c) => `"${c.name}" ${c.type.trim()}`).join(', ');
  return `jsonb_to_recordset($${param}::text::jsonb) AS ${alias}(${list})`;
}

/** `WITH staged AS MATERIALIZED (SELECT * FROM <recordset>) <write>`: the write reads the CTE `staged`. */
export function stagedStatement(columns: readonly StagedColumn[], write: string, param = 1): string {
  return `WITH staged AS MATERIALIZED (SELECT * FROM ${recordsetSql(columns, param)}) ${write}`;
}

/** `id=5, kind=x`: how errors name a record (its declared key fields). */
export function recordKey(record: SourceRecord, key: readonly string[]): string {
  return key.map((k) => `${k}=${JSON.stringify(record[k] ?? null)}`).join(', ');
}

// ES2023's lib has no String#isWellFormed (Node 20 does): the same test as a pattern.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const hex = (b: Uint8Array) => `\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;

/** A value as PostgreSQL reads it from JSON, or why it cannot be sent without changing it. */
function jsonValue(v: unknown): { ok: unknown } | { bad: string } {
  if (v === undefined || v === null) return { ok: null };
  if (typeof v === 'bigint') return { ok: v.toString() };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { bad: `${v} is not a number PostgreSQL can store (JSON would turn it into NULL)` };
    if (Number.isInteger(v) && !Number.isSafeInteger(v))
      return { bad: `${v} is above 2^53 and was already rounded when it was read; read it as text (a string) instead` };
    return { ok: v };
  }
  if (typeof v === 'string') {
    if (v.includes('\u0000'))
      return { bad: 'text contains a NUL character (U+0000), which PostgreSQL text cannot hold' };
    if (LONE_SURROGATE.test(v)) return { bad: 'text contains a lone UTF-16 surrogate (not valid Unicode)' };
    return { ok: v };
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? { bad: 'an invalid Date' } : { ok: v.toISOString() };
  if (v instanceof Uint8Array) return { ok: hex(v) };
  if (typeof v === 'boolean') return { ok: v };
  if (typeof v === 'object') return nested(v);
  return { bad: `a ${typeof v} cannot be stored` };
}

/** Objects and arrays go to json/jsonb columns as they are, each value inside checked too. */
function nested(v: object): { ok: unknown } | { bad: string } {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = jsonValue(x);
      if ('bad' in r) return r;
      out.push(r.ok);
    }
    return { ok: out };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.includes('\u0000') || LONE_SURROGATE.test(k))
      return { bad: `a key ${JSON.stringify(k)} that is not valid text` };
    const r = jsonValue(x);
    if ('bad' in r) return { bad: `at ${JSON.stringify(k)}: ${r.bad}` };
    if (r.ok !== null) out[k] = r.ok;
  }
  return { ok: out };
}

/**
 * The batch as the JSON text of `recordsetSql`'s parameter: only the declared columns (a field
 * absent or null is NULL). A value that would change on the way (NaN, a rounded big integer, NUL
 * in text, an invalid Date) stops the batch with one line naming the record by `key`.
 */
export function stagingJson(
  records: readonly SourceRecord[],
  columns: readonly StagedColumn[],
  key: readonly string[],
  where = 'staging',
): string {
  const rows = records.map((rec, i) => {
    const row: Record<string, unknown> = {};
    for (const c of columns) {
      const r = jsonValue(rec[c.name]);
      if ('bad' in r) {
        const who = key.length > 0 ? recordKey(rec, key) : `record ${i + 1} of the batch`;
        throw new JobError(`${where}: record ${who}, field ${c.name}: ${r.bad}`, EXIT.FAILED);
      }
      if (r.ok !== null) row[c.name] = r.ok;
    }
    return row;
  });
  return JSON.stringify(rows);
}
