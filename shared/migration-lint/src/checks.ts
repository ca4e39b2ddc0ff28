import { columnTypeOf, typeChangeEffect, typeText, type ColumnType } from './type-change.js';
import type { Node, ParsedFile, Unit } from './parse.js';
import { checkAddColumnIndex, checkAddConstraint } from './constraints.js';
import type { SchemaTables } from './drizzle-schema.js';
import { findAll, isTrue, strings, tableKey } from './nodes.js';
import { checkLockTimeouts } from './lock-timeout.js';
import { checkSchemaDrops } from './schema-drops.js';
import type { RuleId } from './rules.js';

export interface RawFinding {
  rule: RuleId;
  line: number;
  /** Line of the top-level statement: an allow marker sits directly above it. */
  topLine: number;
  message: string;
  /** The existing table the finding is about (its size decides error or note). */
  table?: string;
  /** Other existing tables the statement locks for as long (a foreign key's referenced table): the biggest decides. */
  alsoTables?: string[];
  /** Only the catalog changes (a binary-coercible ALTER TYPE): a note whatever the size, which it still states. */
  catalogOnly?: boolean;
}

/**
 * What earlier migrations established, carried through the files in journal order: which
 * columns have a validated CHECK (col IS NOT NULL), so SET NOT NULL needs no scan; which
 * indexes exist and on what; which columns are NOT NULL (PRIMARY KEY USING INDEX needs them).
 */
export interface History {
  notNullChecks: Set<string>;
  /** NOT VALID checks by `table.constraint`, waiting for VALIDATE CONSTRAINT. */
  pendingChecks: Map<string, string>;
  /** Index name -> `schema.table`, from every CREATE INDEX so far (DROP INDEX names only the index). */
  indexTables: Map<string, string>;
  /** Unique index name -> its table and columns (what ADD CONSTRAINT ... USING INDEX may name). */
  uniqueIndexes: Map<string, { table: string; columns: string[] }>;
  /** `schema.table.column` declared NOT NULL (CREATE TABLE, ADD COLUMN, SET NOT NULL; DROP NOT NULL removes it). */
  notNullColumns: Set<string>;
  /** `schema.table.column` -> its type as the migrations declared it (CREATE TABLE, ADD COLUMN, ALTER TYPE). */
  columnTypes: Map<string, ColumnType>;
}

export const newHistory = (): History => ({
  notNullChecks: new Set(),
  pendingChecks: new Map(),
  indexTables: new Map(),
  uniqueIndexes: new Map(),
  notNullColumns: new Set(),
  columnTypes: new Map(),
});

// Built-in functions whose volatility is 'v' in pg_proc and that show up in defaults.
const VOLATILE_FUNCTIONS = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
  'txid_current',
  'pg_current_xact_id',
]);
const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
const NOT_DDL = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'VariableSetStmt',
  'VariableShowStmt',
  'DoStmt',
  'TransactionStmt',
  'ExplainStmt',
  'CallStmt',
  'LockStmt',
  'NotifyStmt',
]);

function isDml(u: Unit): boolean {
  if (u.type === 'UpdateStmt' || u.type === 'DeleteStmt' || u.type === 'MergeStmt') return true;
  return u.type === 'InsertStmt' && !!u.node.selectStmt?.SelectStmt && !u.node.selectStmt.SelectStmt.valuesLists;
}

/** `schema`: the drizzle schema's tables and columns (drop-in-schema is checked only with it). */
export function checkFile(
  parsed: ParsedFile,
  noTransaction: boolean,
  history: History,
  schema?: SchemaTables,
): RawFinding[] {
  const findings: RawFinding[] = [];
  const add: Add = (u, rule, message, table, alsoTables, catalogOnly) =>
    findings.push({
      rule,
      line: u.line,
      topLine: u.top.line,
      message,
      ...(table ? { table } : {}),
      ...(alsoTables?.length ? { alsoTables } : {}),
      ...(catalogOnly ? { catalogOnly } : {}),
    });
  const created = new Set<string>();
  const hasDdl = parsed.units.some((u) => !NOT_DDL.has(u.type));
  let timeoutOptIn = false;
  /** `table.constraint` of constraints added in this file. */
  const addedHere = new Set<string>();
  /** Indexes on tables created in this file: dropping them locks nothing anyone else sees. */
  const createdIndexes = new Set<string>();

  for (const u of parsed.units) {
    const n = u.node;
    const sessionConfig = findAll(n, 'FuncCall').find(
      (f) => strings(f.funcname).at(-1)?.toLowerCase() === 'set_config' && !isTrue(f.args?.[2]),
    );
    if (sessionConfig)
      add(
        u,
        'session-setting',
        'set_config(..., false) sets the value for the session: it outlives the migration (pass true as the third argument)',
      );
    if (isDml(u) && hasDdl)
      add(
        u,
        'dml-with-ddl',
        `${u.type.replace('Stmt', '').toUpperCase()} in a migration that has DDL${u.inDo ? ' (inside a DO block)' : ''}`,
      );
    switch (u.type) {
      case 'CreateStmt':
        created.add(tableKey(n.relation));
        rememberNotNull(n, history);
        break;
      case 'CreateTableAsStmt':
        created.add(tableKey(n.into?.rel));
        break;
      case 'TransactionStmt':
        add(u, 'transaction-control', `${String(n.kind).replace('TRANS_STMT_', '')} in a migration`);
        break;
      case 'VariableSetStmt':
        if (n.is_local && n.name === 'statement_timeout') timeoutOptIn = true;
        if (!n.is_local && n.name !== 'TRANSACTION') {
          const what =
            n.kind === 'VAR_RESET_ALL' ? 'RESET ALL' : `${n.kind === 'VAR_RESET' ? 'RESET' : 'SET'} ${n.name}`;
          add(
            u,
            'session-setting',
            `${what} is session-level: it stays set for every later migration of the run (write SET LOCAL)`,
          );
        }
        break;
      case 'IndexStmt': {
        const table = tableKey(n.relation);
        if (n.concurrent && !noTransaction)
          add(
            u,
            'concurrently-needs-no-transaction',
            `CREATE INDEX CONCURRENTLY ${n.idxname ?? ''} in a file without -- migrate:no-transaction`,
          );
        if (!n.concurrent && !created.has(table))
          add(
            u,
            'index-not-concurrent',
            `CREATE INDEX ${n.idxname ?? ''} on existing table ${table} without CONCURRENTLY`,
            table,
          );
        if (n.idxname) {
          history.indexTables.set(n.idxname, table);
          if (n.unique)
            history.uniqueIndexes.set(n.idxname, {
              table,
              columns: (n.indexParams ?? []).map((p: Node) => p.IndexElem?.name ?? ''),
            });
          if (created.has(table)) createdIndexes.add(n.idxname);
        }
        break;
      }
      case 'AlterDomainStmt':
      case 'DropStmt':
      case 'ReindexStmt':
      case 'VacuumStmt':
      case 'ClusterStmt':
      case 'RenameStmt':
        checkMaintenance(u, { noTransaction, created, createdIndexes, history }, add);
        break;
      case 'AlterTableStmt': {
        if (n.objtype && n.objtype !== 'OBJECT_TABLE') break;
        const table = tableKey(n.relation);
        const existing = !created.has(table);
        for (const c of (n.cmds ?? []).map((x: Node) => x.AlterTableCmd)) {
          checkAlterCmd(u, c, table, existing, timeoutOptIn, history, addedHere, add);
        }
        break;
      }
    }
  }
  if (noTransaction && parsed.tops.length !== 1) {
    const second = parsed.tops[1];
    findings.push({
      rule: 'no-transaction-one-statement',
      line: second?.line ?? 1,
      topLine: second?.line ?? 1,
      message: `-- migrate:no-transaction file with ${parsed.tops.length} statements`,
    });
  }
  if (schema) checkSchemaDrops(parsed.units, schema, add);
  checkLockTimeouts(parsed.units, noTransaction, created, add);
  for (const d of parsed.dynamic) {
    findings.push({
      rule: 'dynamic-sql-in-do',
      line: d.line,
      topLine: d.top.line,
      message: 'EXECUTE of a string built at run time inside a DO block',
    });
  }
  return findings;
}

/** `catalogOnly`: a lock rule whose statement only changes the catalog: a note at any size, with the size. */
export type Add = (
  u: Unit,
  rule: RuleId,
  message: string,
  table?: string,
  alsoTables?: string[],
  catalogOnly?: boolean,
) => void;

/** The NOT NULL columns of a CREATE TABLE (column NOT NULL or PRIMARY KEY, table-level PRIMARY KEY). */
function rememberNotNull(n: Node, history: History): void {
  const table = tableKey(n.relation);
  for (const e of n.tableElts ?? []) {
    const col = e.ColumnDef;
    if (
      col &&
      (col.constraints ?? []).some((c: Node) => ['CONSTR_NOTNULL', 'CONSTR_PRIMARY'].includes(c.Constraint?.contype))
    )
      history.notNullColumns.add(`${table}.${col.colname}`);
    if (e.Constraint?.contype === 'CONSTR_PRIMARY')
      for (const k of strings(e.Constraint.keys)) history.notNullColumns.add(`${table}.${k}`);
    rememberType(history, table, col);
  }
}

function rememberType(history: History, table: string, col: Node | undefined): void {
  if (!col?.colname) return;
  const type = columnTypeOf(col.typeName);
  if (type) history.columnTypes.set(`${table}.${col.colname}`, type);
  else history.columnTypes.delete(`${table}.${col.colname}`);
}

interface FileState {
  noTransaction: boolean;
  created: Set<string>;
  createdIndexes: Set<string>;
  history: History;
}

/** ALTER DOMAIN, DROP INDEX, REINDEX, VACUUM FULL, CLUSTER and RENAME: statements that lock or scan tables whole, or break their readers. */
function checkMaintenance(u: Unit, f: FileState, add: Add): void {
  const { noTransaction, created, createdIndexes, history } = f;
  const n = u.node;
  switch (u.type) {
    case 'AlterDomainStmt':
      if ((n.subtype === 'C' && !n.def?.Constraint?.skip_validation) || n.subtype === 'O') {
        const what = n.subtype === 'O' ? 'SET NOT NULL' : `ADD CONSTRAINT ${n.def?.Constraint?.conname ?? ''}`;
        add(
          u,
          'domain-change-scans',
          `ALTER DOMAIN ${strings(n.typeName).join('.')} ${what} scans every table column of that domain`,
        );
      }
      break;
    case 'DropStmt':
      if (n.concurrent && !noTransaction)
        add(
          u,
          'concurrently-needs-no-transaction',
          'DROP INDEX CONCURRENTLY in a file without -- migrate:no-transaction',
        );
      if (n.removeType === 'OBJECT_INDEX' && !n.concurrent) {
        for (const name of (n.objects ?? []).map((o: Node) => strings(o.List?.items).at(-1))) {
          if (!name || createdIndexes.has(name)) continue;
          const table = history.indexTables.get(name);
          add(
            u,
            'drop-index-not-concurrent',
            `DROP INDEX ${name}${table ? ` (on ${table})` : ''} without CONCURRENTLY takes ACCESS EXCLUSIVE on its table`,
            table,
          );
        }
      }
      break;
    case 'ReindexStmt': {
      const concurrent = (n.params ?? []).some((p: Node) => p.DefElem?.defname === 'concurrently');
      if (concurrent && !noTransaction)
        add(u, 'concurrently-needs-no-transaction', 'REINDEX CONCURRENTLY in a file without -- migrate:no-transaction');
      if (!concurrent) {
        const table = n.relation
          ? n.kind === 'REINDEX_OBJECT_INDEX'
            ? history.indexTables.get(n.relation.relname)
            : tableKey(n.relation)
          : undefined;
        add(u, 'reindex-not-concurrent', `REINDEX ${n.relation?.relname ?? n.name ?? ''} without CONCURRENTLY`, table);
      }
      break;
    }
    case 'VacuumStmt': {
      const full = (n.options ?? []).some((p: Node) => p.DefElem?.defname === 'full');
      if (!full) break;
      const rels: Node[] = (n.rels ?? []).map((r: Node) => r.VacuumRelation?.relation);
      if (!rels.length) add(u, 'vacuum-full-or-cluster', 'VACUUM FULL of the whole database rewrites every table');
      for (const r of rels)
        add(u, 'vacuum-full-or-cluster', `VACUUM FULL ${tableKey(r)} rewrites it under ACCESS EXCLUSIVE`, tableKey(r));
      break;
    }
    case 'ClusterStmt': {
      const table = n.relation ? tableKey(n.relation) : undefined;
      add(
        u,
        'vacuum-full-or-cluster',
        `CLUSTER ${table ?? '(every clustered table)'} rewrites it under ACCESS EXCLUSIVE`,
        table,
      );
      break;
    }
    case 'RenameStmt': {
      const table = tableKey(n.relation);
      if (!n.relation || created.has(table)) break;
      if (n.renameType === 'OBJECT_COLUMN')
        add(
          u,
          'rename-in-use',
          `RENAME COLUMN ${n.subname} of ${table} to ${n.newname}: the running release still reads ${n.subname}`,
        );
      if (n.renameType === 'OBJECT_TABLE')
        add(u, 'rename-in-use', `RENAME of table ${table} to ${n.newname}: the running release still reads ${table}`);
      break;
    }
  }
}

function checkAlterCmd(
  u: Unit,
  c: Node,
  table: string,
  existing: boolean,
  timeoutOptIn: boolean,
  history: History,
  addedHere: Set<string>,
  add: Add,
): void {
  switch (c.subtype) {
    case 'AT_AddColumn': {
      const col = c.def?.ColumnDef ?? {};
      const cons: Node[] = (col.constraints ?? []).map((x: Node) => x.Constraint);
      const def = cons.find((k) => k.contype === 'CONSTR_DEFAULT');
      const generated = cons.find((k) => k.contype === 'CONSTR_GENERATED');
      if (cons.some((k) => k.contype === 'CONSTR_NOTNULL' || k.contype === 'CONSTR_PRIMARY'))
        history.notNullColumns.add(`${table}.${col.colname}`);
      rememberType(history, table, col);
      if (!existing) break;
      checkAddColumnIndex(u, col, cons, table, add);
      const typeName = strings(col.typeName?.names).at(-1)?.toLowerCase() ?? '';
      const volatile = def
        ? findAll(def.raw_expr, 'FuncCall')
            .map((f) => strings(f.funcname).at(-1)!.toLowerCase())
            .find((f) => VOLATILE_FUNCTIONS.has(f))
        : undefined;
      if (volatile)
        add(
          u,
          'add-column-volatile-default',
          `ADD COLUMN ${col.colname} on ${table} with volatile default ${volatile}()`,
          table,
        );
      else if (SERIAL_TYPES.has(typeName))
        add(
          u,
          'add-column-volatile-default',
          `ADD COLUMN ${col.colname} ${typeName} on ${table} (its default is nextval())`,
          table,
        );
      else if (cons.some((k) => k.contype === 'CONSTR_IDENTITY'))
        add(u, 'add-column-volatile-default', `ADD COLUMN ${col.colname} on ${table} as an identity column`, table);
      if (cons.some((k) => k.contype === 'CONSTR_NOTNULL' || k.contype === 'CONSTR_PRIMARY') && !def && !generated) {
        add(
          u,
          'add-column-not-null-without-default',
          `ADD COLUMN ${col.colname} NOT NULL without DEFAULT on existing table ${table}`,
          table,
        );
      }
      // PG18 adds VIRTUAL generated columns, which are computed on read and rewrite nothing.
      if (generated && generated.generated_kind !== 'v' && !timeoutOptIn) {
        add(
          u,
          'generated-column-needs-timeout',
          `ADD COLUMN ${col.colname} GENERATED ... STORED rewrites ${table} without SET LOCAL statement_timeout before it`,
          table,
        );
      }
      break;
    }
    case 'AT_SetExpression':
      if (existing && !timeoutOptIn)
        add(
          u,
          'generated-column-needs-timeout',
          `SET EXPRESSION on ${table}.${c.name} rewrites the table without SET LOCAL statement_timeout before it`,
          table,
        );
      break;
    case 'AT_AlterColumnType': {
      const def = c.def?.ColumnDef ?? {};
      const key = `${table}.${c.name}`;
      const from = history.columnTypes.get(key);
      const to = columnTypeOf(def.typeName);
      if (to) history.columnTypes.set(key, to);
      else history.columnTypes.delete(key);
      if (!existing) break;
      const effect = typeChangeEffect(from, to, { using: !!def.raw_default, collate: !!def.collClause });
      const change = from && to ? ` (${typeText(from)} -> ${typeText(to)})` : '';
      if (effect === 'rewrite')
        add(
          u,
          'alter-column-type',
          `ALTER COLUMN ${c.name} TYPE on existing table ${table}${change}: rewrites it`,
          table,
        );
      else
        add(
          u,
          'alter-column-type',
          `ALTER COLUMN ${c.name} TYPE on existing table ${table}${change}: catalog only (PostgreSQL neither rewrites nor scans), under a brief ACCESS EXCLUSIVE`,
          table,
          undefined,
          true,
        );
      break;
    }
    case 'AT_AddConstraint':
      checkAddConstraint(u, c.def?.Constraint ?? {}, table, existing, history, addedHere, add);
      break;
    case 'AT_ValidateConstraint': {
      if (addedHere.has(`${table}.${c.name}`)) {
        add(
          u,
          'validate-in-same-migration',
          `VALIDATE CONSTRAINT ${c.name} in the migration that adds it: the scan runs under the ADD's lock`,
          table,
        );
      }
      const col = history.pendingChecks.get(`${table}.${c.name}`);
      if (col) history.notNullChecks.add(col);
      break;
    }
    case 'AT_DropNotNull':
      history.notNullColumns.delete(`${table}.${c.name}`);
      break;
    case 'AT_SetNotNull':
      history.notNullColumns.add(`${table}.${c.name}`);
      if (existing && !history.notNullChecks.has(`${table}.${c.name}`)) {
        add(
          u,
          'set-not-null-without-check',
          `SET NOT NULL on ${table}.${c.name} without a validated CHECK (${c.name} IS NOT NULL) first`,
          table,
        );
      }
      break;
  }
}
