import type { Sql } from 'postgres';

/** What a `CREATE [UNIQUE] INDEX CONCURRENTLY` statement builds, from PostgreSQL's own parser. */
export interface ConcurrentIndex {
  /** Unset when the statement lets PostgreSQL pick the name. */
  name?: string;
  /** The table; its schema (or the search_path) is where the index lives. */
  table: string;
  tableSchema?: string;
}

interface ParsedIndexStmt {
  idxname?: string;
  relation: { schemaname?: string; relname: string };
  concurrent?: boolean;
}

let parser: Promise<(sql: string) => unknown> | undefined;
/** libpg-query is WASM: loaded on the first no-transaction migration, never by a job. */
function loadParser(): Promise<(sql: string) => unknown> {
  parser ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    return m.parseSync;
  });
  return parser;
}

/**
 * The index a statement builds concurrently, or undefined for any other statement. Parsed,
 * not matched by pattern: comments, quoting and IF NOT EXISTS cannot hide it.
 */
export async function parseConcurrentIndex(statement: string): Promise<ConcurrentIndex | undefined> {
  const parse = await loadParser();
  let tree: { stmts?: { stmt: Record<string, unknown> }[] };
  try {
    tree = parse(statement) as typeof tree;
  } catch {
    return undefined; // the server reports the syntax error when the statement runs
  }
  const stmt = tree.stmts?.length === 1 ? (tree.stmts[0]!.stmt.IndexStmt as ParsedIndexStmt | undefined) : undefined;
  if (!stmt?.concurrent) return undefined;
  return { name: stmt.idxname, table: stmt.relation.relname, tableSchema: stmt.relation.schemaname };
}

export interface IndexState {
  oid: number;
  qualified: string;
  valid: boolean;
}

/**
 * The indexes of the statement's table (resolved as the statement resolves it: its schema, or
 * the search_path) with the statement's index name, or every index of the table when the
 * statement names none. Never an index of the same name on another table or in another schema.
 */
export async function indexesOf(sql: Sql, ix: ConcurrentIndex): Promise<IndexState[]> {
  return sql<IndexState[]>`
    SELECT c.oid::int AS oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified, i.indisvalid AS valid
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE i.indrelid = to_regclass(
            CASE WHEN ${ix.tableSchema ?? null}::text IS NULL THEN quote_ident(${ix.table})
                 ELSE quote_ident(${ix.tableSchema ?? null}::text) || '.' || quote_ident(${ix.table}) END)
      AND (${ix.name ?? null}::text IS NULL OR c.relname = ${ix.name ?? null}::text)
    ORDER BY c.oid`;
}

/** Is the index (by OID) there and valid? pg_index.indisvalid, read after the build. */
export async function isValidIndex(sql: Sql, oid: number): Promise<boolean> {
  const [row] = await sql<{ valid: boolean }[]>`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = ${oid}`;
  return row?.valid === true;
}

/** Drops, by OID, an INVALID index of the statement left by a failed build; returns its name. */
export async function dropInvalidIndex(sql: Sql, ix: ConcurrentIndex): Promise<string | undefined> {
  if (!ix.name) return undefined; // an unnamed build gets a fresh name: nothing of it is in the way
  const invalid = (await indexesOf(sql, ix)).find((s) => !s.valid);
  if (!invalid) return undefined;
  // The name is quote_ident'ed by the server from the catalog row of that OID.
  await sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${invalid.qualified}`);
  return invalid.qualified;
}
