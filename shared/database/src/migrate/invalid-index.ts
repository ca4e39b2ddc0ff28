import type { Sql } from 'postgres';

/**
 * The index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON ...` statement
 * builds (its name, unquoted), or undefined for any other statement.
 */
export function targetIndexName(statement: string): string | undefined {
  const m = statement
    .replace(/^(\s*--[^\n]*\n)*/, '')
    .match(/^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)/i);
  if (!m) return undefined;
  const raw = m[1]!;
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
}

/** schema.name of an INVALID index of that name (any schema of this database), if there is one. */
export async function invalidIndexName(sql: Sql, name: string): Promise<string | undefined> {
  const [row] = await sql<{ qualified: string }[]>`
    SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = ${name} AND NOT i.indisvalid
    LIMIT 1`;
  return row?.qualified;
}

/** Drops an INVALID index of that name left by a failed CONCURRENTLY build; returns its name. */
export async function dropInvalidIndex(sql: Sql, name: string): Promise<string | undefined> {
  const qualified = await invalidIndexName(sql, name);
  if (qualified) await sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified}`);
  return qualified;
}
