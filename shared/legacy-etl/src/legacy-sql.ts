// The SQL an incremental tick reads a legacy table with. The legacy tables have an index on
// their primary key only, so every query is a bounded range scan of `ID`; filtering on a time
// column alone would read the whole table.
import { sourceHashSql } from './source-hash.js';

export interface LegacyTableSpec {
  /** The legacy table, e.g. 'LIBRARY_RELEASE'. */
  table: string;
  /** Its columns that are read; `ID` and `TIME_LAST_MODIFIED` among them. */
  columns: readonly string[];
  /**
   * Lookups joined by primary key, e.g. a label name: `{ join: 'LEFT JOIN `COMPANY` ON ...',
   * select: ['`COMPANY`.`NAME` AS `COMPANY_NAME`'] }`. Constant SQL of the job, never input.
   */
  lookup?: { join: string; select: readonly string[] };
}

export interface LegacyQueries {
  table: string;
  /** The table's columns read (and hashed: sourceHash over them is what verification compares). */
  columns: readonly string[];
  /** Rows by id, PRIMARY lookups. Params: [ids]. */
  byIds: string;
  /**
   * Count and SUM of source hashes per range and sub-range of a span of ids, server-side, in one
   * PRIMARY range scan: range b = (ID - afterId - 1) DIV width, sub-range sb of it = that offset
   * MOD width DIV subWidth (subWidth = width: one level). Params: rangeSumsParams(...).
   */
  rangeSums: string;
  /** Count and SUM of source hashes of a whole span, ungrouped (a tick's slice, checked whole first). Params: [afterId, upToId]. */
  spanSum: string;
  /** Id and source hash of each row in an id range (a differing range small enough to compare row by row). Params: [afterId, upToId]. */
  rangeHashes: string;
  /** New rows above an id, up to the tick's bound. Params: [afterId, upToId, limit]. */
  newRows: string;
  /** Rows in an id range modified at or after a time. Params: [afterId, upToId, sinceMs, limit]. */
  editedRows: string;
  /** The largest id below one (an outlier's neighbour). Params: [id]. */
  prevId: string;
  /** The smallest id above one (where the rows go on after a gap). Params: [id]. */
  nextId: string;
  /** Id and source hash of the rows with these ids. Params: [ids]. */
  hashesByIds: string;
  /** The highest id now; MAX of the primary key is answered from the index. */
  maxId: string;
}

const q = (name: string) => `\`${name}\``;

export function legacyQueries(spec: LegacyTableSpec): LegacyQueries {
  const t = q(spec.table);
  const select = [...spec.columns.map((c) => `${t}.${q(c)}`), ...(spec.lookup?.select ?? [])].join(', ');
  const from = spec.lookup ? `${t} ${spec.lookup.join}` : t;
  const range = `${t}.\`ID\` > ? AND ${t}.\`ID\` <= ?`;
  const hash = sourceHashSql(spec.table, spec.columns);
  return {
    table: spec.table,
    columns: spec.columns,
    byIds: `SELECT ${select} FROM ${from} WHERE ${t}.\`ID\` IN (?) ORDER BY ${t}.\`ID\``,
    rangeSums: `SELECT (${t}.\`ID\` - ? - 1) DIV ? AS b, ((${t}.\`ID\` - ? - 1) MOD ?) DIV ? AS sb, COUNT(*) AS n, SUM(${hash}) AS s FROM ${t} WHERE ${range} GROUP BY b, sb`,
    spanSum: `SELECT COUNT(*) AS n, SUM(${hash}) AS s FROM ${t} WHERE ${range}`,
    rangeHashes: `SELECT ${t}.\`ID\` AS id, ${hash} AS h FROM ${t} WHERE ${range} ORDER BY ${t}.\`ID\``,
    newRows: `SELECT ${select} FROM ${from} WHERE ${range} ORDER BY ${t}.\`ID\` LIMIT ?`,
    editedRows: `SELECT ${select} FROM ${from} WHERE ${range} AND ${t}.\`TIME_LAST_MODIFIED\` >= ? ORDER BY ${t}.\`ID\` LIMIT ?`,
    maxId: `SELECT COALESCE(MAX(\`ID\`), 0) AS max_id FROM ${t}`,
    prevId: `SELECT COALESCE(MAX(\`ID\`), 0) AS id FROM ${t} WHERE \`ID\` < ?`,
    nextId: `SELECT MIN(\`ID\`) AS id FROM ${t} WHERE \`ID\` > ?`,
    hashesByIds: `SELECT ${t}.\`ID\` AS id, ${hash} AS h FROM ${t} WHERE ${t}.\`ID\` IN (?) ORDER BY ${t}.\`ID\``,
  };
}

/** The parameters of LegacyQueries.rangeSums for ids > after and <= upTo. */
export const rangeSumsParams = (span: { after: number; upTo: number }, width: number, subWidth: number): number[] => [
  span.after,
  width,
  span.after,
  width,
  subWidth,
  span.after,
  span.upTo,
];

/** The source's clock in epoch ms (the edit mark of a tick never passes it). */
export const SOURCE_CLOCK_SQL = 'SELECT CAST(ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) AS SIGNED) AS now_ms';
