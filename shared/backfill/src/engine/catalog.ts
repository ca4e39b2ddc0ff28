import type { PendingQuery, Row, Sql } from 'postgres';
import { JobError, EXIT } from '@wxyc/job-runtime';

/** Every column of a table and its catalog type (`format_type(atttypid, NULL)`), read once per run. */
export class Catalog {
  private readonly tables = new Map<string, Promise<Map<string, string>>>();

  constructor(private readonly sql: Sql) {}

  private load(table: string): Promise<Map<string, string>> {
    let p = this.tables.get(table);
    if (!p) {
      p = (async () => {
        const [rel] = await this.sql<{ oid: number | null }[]>`SELECT to_regclass(${table})::oid AS oid`;
        if (!rel?.oid)
          throw new JobError(`table ${table} does not exist (check the task and the migrations)`, EXIT.FAILED);
        const rows = await this.sql<{ name: string; type: string }[]>`
          SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute
          WHERE attrelid = ${rel.oid} AND attnum > 0 AND NOT attisdropped`;
        return new Map(rows.map((r) => [r.name, r.type]));
      })();
      this.tables.set(table, p);
    }
    return p;
  }

  /** The types of `columns` of `table`, in order; a column the table lacks is one clear error. */
  async types(table: string, columns: readonly string[]): Promise<{ name: string; type: string }[]> {
    const t = await this.load(table);
    return columns.map((name) => {
      const type = t.get(name);
      if (!type)
        throw new JobError(
          `column ${name} does not exist in ${table} (check the task and the migrations)`,
          EXIT.FAILED,
        );
      return { name, type };
    });
  }
}

/**
 * The value of `field` of a jsonb object `obj`, cast to `type`: json(b) as such, arrays element by
 * element (a JSON array is not array text), anything else from its text. A missing field is NULL.
 */
export function fromJson(sql: Sql, obj: PendingQuery<Row[]>, field: string, type: string): PendingQuery<Row[]> {
  const ty = sql.unsafe(type);
  if (type === 'jsonb' || type === 'json') return sql`(${obj} -> ${field}::text)::${ty}`;
  if (type.endsWith('[]')) {
    return sql`CASE WHEN jsonb_typeof(${obj} -> ${field}::text) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(${obj} -> ${field}::text))::${ty} END`;
  }
  return sql`(${obj} ->> ${field}::text)::${ty}`;
}

export const commaList = (sql: Sql, parts: PendingQuery<Row[]>[]): PendingQuery<Row[]> =>
  parts.slice(1).reduce((acc, p) => sql`${acc}, ${p}`, parts[0]!);
