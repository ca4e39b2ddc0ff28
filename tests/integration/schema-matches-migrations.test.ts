import { getTableConfig, PgTable, type PgEnum } from 'drizzle-orm/pg-core';
import { is } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, readJournal, schema } from '@wxyc/database';
import { useTestDatabase } from '../support/test-database.js';
import { migrateWithDrizzle } from '../support/drizzle-migrate.js';

const db = useTestDatabase('empty');

const exported: unknown[] = Object.values(schema);
const tables = exported.filter((v): v is PgTable => is(v, PgTable));
const enums = exported.filter((v): v is PgEnum<[string, ...string[]]> => typeof v === 'function' && 'enumValues' in v);

// information_schema spells types its own way; map drizzle's SQL type names to it.
function infoSchemaType(sqlType: string): string {
  const t = sqlType.replace(/\(.*\)$/, '');
  const map: Record<string, string> = {
    serial: 'integer',
    varchar: 'character varying',
    'timestamp with time zone': 'timestamp with time zone',
    tsvector: 'tsvector',
  };
  return map[t] ?? t;
}

describe('a database migrated from scratch', () => {
  it('applies every migration of the journal to an empty database (the guards of 0061 pass on an empty table)', async () => {
    await migrateWithDrizzle(db.url);
    const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
    expect(row!.n).toBe(readJournal(MIGRATIONS_DIR).entries.length);
    expect(row!.n).toBeGreaterThanOrEqual(57); // 0000-0056
  });

  it('has exactly the tables and columns of the drizzle schema', async () => {
    const actual = await db.sql<
      {
        table_schema: string;
        table_name: string;
        column_name: string;
        data_type: string;
        udt_name: string;
        is_nullable: string;
        character_maximum_length: number | null;
        is_generated: string;
      }[]
    >`
      SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable, character_maximum_length, is_generated
      FROM information_schema.columns
      WHERE table_schema IN ('public', 'wxyc_schema')
      ORDER BY table_schema, table_name, ordinal_position`;
    const describeDb = new Map<string, string>();
    for (const c of actual) {
      const type = c.data_type === 'USER-DEFINED' ? c.udt_name : c.data_type;
      describeDb.set(
        `${c.table_schema}.${c.table_name}.${c.column_name}`,
        `${type}${c.character_maximum_length ? `(${c.character_maximum_length})` : ''} ${c.is_nullable === 'YES' ? 'null' : 'not null'}${c.is_generated === 'ALWAYS' ? ' generated' : ''}`,
      );
    }
    const describeSchema = new Map<string, string>();
    for (const table of tables) {
      const cfg = getTableConfig(table);
      for (const col of cfg.columns) {
        const sqlType = col.getSQLType();
        const len = /^varchar\((\d+)\)$/.exec(sqlType)?.[1];
        const type =
          col.columnType === 'PgEnumColumn'
            ? sqlType.replace(/^"?\w+"?\./, '').replaceAll('"', '')
            : infoSchemaType(sqlType);
        describeSchema.set(
          `${cfg.schema ?? 'public'}.${cfg.name}.${col.name}`,
          `${type}${len ? `(${len})` : ''} ${col.notNull ? 'not null' : 'null'}${col.generated ? ' generated' : ''}`,
        );
      }
    }
    expect(Object.fromEntries(describeDb)).toEqual(Object.fromEntries(describeSchema));
  });

  it('has the enums of the drizzle schema, values in order', async () => {
    const rows = await db.sql<{ name: string; values: string[] }[]>`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'wxyc_schema' GROUP BY t.typname ORDER BY t.typname`;
    expect(rows.map((r) => ({ ...r }))).toEqual(
      enums.map((e) => ({ name: e.enumName, values: [...e.enumValues] })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('has the indexes the drizzle schema declares', async () => {
    const rows = await db.sql<{ indexname: string }[]>`
      SELECT indexname FROM pg_indexes WHERE schemaname IN ('public', 'wxyc_schema')`;
    const names = new Set(rows.map((r) => r.indexname));
    const declared = tables.flatMap((t) => getTableConfig(t).indexes.map((i) => i.config.name!));
    expect(declared.length).toBeGreaterThan(5);
    for (const name of declared) expect(names, name).toContain(name);
  });
});
