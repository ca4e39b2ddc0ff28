// The page query of a table source (MySQL or another PostgreSQL): keyset paging over a declared
// unique key, so every page is a bounded index range scan, however far the run has got.

export type Dialect = 'mysql' | 'postgres';

export interface TableRead {
  /** FROM clause: a table, or tables with joins (constant SQL of the definition, never input). */
  from: string;
  /** SELECT list; it must return the key columns under their own names. */
  select: string;
  /**
   * The columns the pages are walked by, unique and NOT NULL over the rows read (else rows
   * sharing a key at a page edge are skipped). `e.ID`, or several for a composite key:
   * `['played_at', 'id']`. The record field of each is its last part (`ID`).
   */
  key: readonly string[];
  /** Extra predicate; MySQL `?` placeholders / PostgreSQL `$1..$n`, values in `params`. */
  where?: string;
  params?: readonly unknown[];
  /** A half-open window `column >= from AND column < to` (a date range; epoch ms on the legacy tables). */
  window?: { column: string; from: unknown; to: unknown };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function tableReadProblem(r: TableRead): string | null {
  if (r.key.length === 0) return 'no key columns to page by';
  for (const k of [...r.key, ...(r.window ? [r.window.column] : [])]) {
    if (!k.split('.').every((p) => IDENT.test(p)))
      return `${JSON.stringify(k)} is not a column name (name or alias.name)`;
  }
  if (!r.from.trim() || !r.select.trim()) return 'from and select are required';
  return null;
}

const quote = (d: Dialect, name: string) =>
  name
    .split('.')
    .map((p) => (d === 'mysql' ? `\`${p}\`` : `"${p}"`))
    .join('.');

/** The record field a key column comes back as. */
export const keyField = (column: string): string => column.split('.').at(-1)!;

/** The key values of a record, in key order (the checkpoint). */
export const keyOf = (r: TableRead, rec: Record<string, unknown>): unknown[] => r.key.map((k) => rec[keyField(k)]);

/** After `after` in key order: `k > ?`, or for a composite key (a, b) > (x, y). */
function keysetPredicate(
  d: Dialect,
  cols: string[],
  ph: () => string,
  after: readonly unknown[],
): { sql: string; params: unknown[] } {
  if (d === 'postgres' || cols.length === 1) {
    const lhs = cols.length === 1 ? cols[0]! : `(${cols.join(', ')})`;
    const rhs = cols.length === 1 ? ph() : `(${cols.map(() => ph()).join(', ')})`;
    return { sql: `${lhs} > ${rhs}`, params: [...after] };
  }
  // MySQL/MariaDB do not use an index for a row-value comparison: the expanded OR form they do.
  const ors: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < cols.length; i++) {
    const terms: string[] = [];
    for (let j = 0; j < i; j++) {
      params.push(after[j]);
      terms.push(`${cols[j]} = ${ph()}`);
    }
    params.push(after[i]);
    terms.push(`${cols[i]} > ${ph()}`);
    ors.push(`(${terms.join(' AND ')})`);
  }
  return { sql: `(${ors.join(' OR ')})`, params };
}

/** One page: rows after `after` (null: from the start) in key order, at most `limit`. */
export function pageQuery(
  d: Dialect,
  r: TableRead,
  after: readonly unknown[] | null,
  limit: number,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [...(r.params ?? [])];
  const ph = () => (d === 'mysql' ? '?' : `$${params.length + 1}`);
  const preds: string[] = [];
  if (r.where) preds.push(`(${r.where})`);
  if (r.window) {
    const c = quote(d, r.window.column);
    preds.push(`${c} >= ${ph()}`);
    params.push(r.window.from);
    preds.push(`${c} < ${ph()}`);
    params.push(r.window.to);
  }
  const cols = r.key.map((k) => quote(d, k));
  if (after) {
    // its placeholders are numbered in the order it emits them, after those pushed so far
    const base = params.length + 1;
    let n = 0;
    const ks = keysetPredicate(d, cols, () => (d === 'mysql' ? '?' : `$${base + n++}`), after);
    preds.push(ks.sql);
    params.push(...ks.params);
  }
  const where = preds.length > 0 ? ` WHERE ${preds.join(' AND ')}` : '';
  const sql = `SELECT ${r.select} FROM ${r.from}${where} ORDER BY ${cols.join(', ')} LIMIT ${ph()}`;
  params.push(limit);
  return { sql, params };
}
