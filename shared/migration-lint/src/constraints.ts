import type { Add, History } from './checks.js';
import { strings, tableKey } from './nodes.js';
import type { Node, Unit } from './parse.js';

/** `col IS NOT NULL` as a CHECK expression: the column name, else undefined. */
function notNullCheckColumn(expr: Node | undefined): string | undefined {
  const t = expr?.NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = strings(t.arg?.ColumnRef?.fields);
  return fields.length === 1 ? fields[0] : undefined;
}

const KIND: Record<string, string> = {
  CONSTR_UNIQUE: 'UNIQUE',
  CONSTR_PRIMARY: 'PRIMARY KEY',
  CONSTR_EXCLUSION: 'EXCLUDE',
};

/**
 * UNIQUE / PRIMARY KEY / EXCLUDE on an existing table. Without USING INDEX the statement builds
 * the index under ACCESS EXCLUSIVE (reads and writes wait for the whole build). With USING INDEX
 * it is catalog-only, provided the index is a unique one built earlier on that table (CREATE
 * UNIQUE INDEX CONCURRENTLY) and, for a PRIMARY KEY, its columns are already NOT NULL: otherwise
 * PostgreSQL runs SET NOT NULL on them and scans the table under ACCESS EXCLUSIVE.
 */
function checkUniqueConstraint(u: Unit, k: Node, table: string, history: History, add: Add): void {
  const what = `ADD CONSTRAINT ${k.conname ?? ''} ${KIND[k.contype]} on existing table ${table}`;
  if (k.contype === 'CONSTR_EXCLUSION') {
    add(
      u,
      'unique-constraint-without-index',
      `${what} builds its index under ACCESS EXCLUSIVE (an exclusion constraint cannot take an index built earlier)`,
      table,
    );
    return;
  }
  if (!k.indexname) {
    add(
      u,
      'unique-constraint-without-index',
      `${what} builds its index under ACCESS EXCLUSIVE: CREATE UNIQUE INDEX CONCURRENTLY first (a no-transaction migration), then ${KIND[k.contype]} USING INDEX`,
      table,
    );
    return;
  }
  const index = history.uniqueIndexes.get(k.indexname);
  if (!index || index.table !== table) {
    add(
      u,
      'unique-constraint-without-index',
      `${what} USING INDEX ${k.indexname}: no earlier migration creates a unique index ${k.indexname} on ${table} (CREATE UNIQUE INDEX CONCURRENTLY)`,
      table,
    );
    return;
  }
  if (k.contype !== 'CONSTR_PRIMARY') return;
  const nullable = index.columns.filter(
    (c) => !history.notNullColumns.has(`${table}.${c}`) && !history.notNullChecks.has(`${table}.${c}`),
  );
  if (nullable.length) {
    add(
      u,
      'set-not-null-without-check',
      `${what} USING INDEX ${k.indexname}: ${nullable.join(', ')} may be NULL, so PostgreSQL runs SET NOT NULL and scans ${table} under ACCESS EXCLUSIVE (validate a CHECK (${nullable[0]} IS NOT NULL) and SET NOT NULL first)`,
      table,
    );
  }
}

/** ADD CONSTRAINT on a table: unique kinds, foreign keys (both tables' sizes count) and CHECKs. */
export function checkAddConstraint(
  u: Unit,
  k: Node,
  table: string,
  existing: boolean,
  history: History,
  addedHere: Set<string>,
  add: Add,
): void {
  if (existing && KIND[k.contype]) checkUniqueConstraint(u, k, table, history, add);
  if (k.contype !== 'CONSTR_FOREIGN' && k.contype !== 'CONSTR_CHECK') return;
  if (k.conname) addedHere.add(`${table}.${k.conname}`);
  if (existing && !k.skip_validation) {
    if (k.contype === 'CONSTR_FOREIGN') {
      // SHARE ROW EXCLUSIVE on both tables while the referencing one is checked against the other
      // (an anti-join: a big referenced table is read too), so either size makes it long.
      const referenced = tableKey(k.pktable);
      add(
        u,
        'constraint-not-valid',
        `ADD CONSTRAINT ${k.conname ?? ''} FOREIGN KEY on existing table ${table} REFERENCES ${referenced} without NOT VALID: writes to both wait for the validating scan`,
        table,
        referenced === table ? [] : [referenced],
      );
    } else {
      add(
        u,
        'constraint-not-valid',
        `ADD CONSTRAINT ${k.conname ?? ''} CHECK on existing table ${table} without NOT VALID`,
        table,
      );
    }
  }
  const col = k.contype === 'CONSTR_CHECK' ? notNullCheckColumn(k.raw_expr) : undefined;
  if (col && k.skip_validation) history.pendingChecks.set(`${table}.${k.conname}`, `${table}.${col}`);
  else if (col) history.notNullChecks.add(`${table}.${col}`);
}

/** ADD COLUMN ... UNIQUE / PRIMARY KEY on an existing table builds the index under ACCESS EXCLUSIVE. */
export function checkAddColumnIndex(u: Unit, col: Node, cons: Node[], table: string, add: Add): void {
  const k = cons.find((c) => c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY');
  if (k)
    add(
      u,
      'unique-constraint-without-index',
      `ADD COLUMN ${col.colname} ${KIND[k.contype]} on existing table ${table} builds its index under ACCESS EXCLUSIVE: add the column, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX`,
      table,
    );
}
