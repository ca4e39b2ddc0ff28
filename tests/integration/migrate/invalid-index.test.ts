// CREATE INDEX CONCURRENTLY: the runner identifies its index from the parsed statement
// (schema, name, table), never by a pattern or by name alone, and checks pg_index.indisvalid
// by OID after the build; an INVALID index is never recorded as applied.
import { describe, expect, it } from 'vitest';
import { MIGRATE_EXIT } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrationsDir, runRunner, useScratch } from '../../support/migrate-runner.js';

const scratch = useScratch();
const base = {
  tag: '0000_t',
  sql: 'CREATE TABLE t (id int);\n--> statement-breakpoint\nINSERT INTO t VALUES (1), (1), (2);',
};
const applied = async (db: TestDatabase) =>
  (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)[0]!.n;
const valid = async (db: TestDatabase, index: string) =>
  (await db.sql<{ v: boolean }[]>`SELECT indisvalid AS v FROM pg_index WHERE indexrelid = to_regclass(${index})`)[0]?.v;

/** An INVALID index: a unique build that fails on duplicates leaves one behind. */
async function invalidIndex(db: TestDatabase, table: string, name: string) {
  await db.sql.unsafe(`CREATE TABLE ${table} (id int)`);
  await db.sql.unsafe(`INSERT INTO ${table} VALUES (1), (1)`);
  await db.sql.unsafe(`CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (id)`).catch(() => {});
}

describe('a comment before the statement', () => {
  it('does not hide the INVALID leftover: the rerun drops and rebuilds it rather than skip it and record the migration', async () => {
    const db = await scratch.database();
    const cic = {
      tag: '0001_unique',
      sql: '-- migrate:no-transaction\n/* why: lookups by id */ CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id_key ON t (id);',
    };
    const dir = migrationsDir([base, cic]);
    expect((await runRunner(db.url, { dir })).code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    expect(await valid(db, 'public.t_id_key')).toBe(false);
    await db.sql`DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t WHERE id = 1)`;
    const again = await runRunner(db.url, { dir });
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(
      '0001_unique: dropped INVALID index public.t_id_key left by an earlier failed run; rebuilding it',
    );
    expect(await valid(db, 'public.t_id_key')).toBe(true);
    expect(await applied(db)).toBe(2);
  });
});

describe('an INVALID index of the same name elsewhere', () => {
  it('in another schema is left alone; ours is built', async () => {
    const db = await scratch.database();
    await db.sql`CREATE SCHEMA other`;
    await invalidIndex(db, 'other.t', 't_id_key');
    expect(await valid(db, 'other.t_id_key')).toBe(false);
    const dir = migrationsDir([
      { tag: '0000_t', sql: 'CREATE TABLE public.t (id int);' },
      {
        tag: '0001_unique',
        sql: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id_key ON public.t (id);',
      },
    ]);
    const r = await runRunner(db.url, { dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain('dropped INVALID index');
    expect(await valid(db, 'other.t_id_key')).toBe(false);
    expect(await valid(db, 'public.t_id_key')).toBe(true);
  });

  it('on another table of the same schema makes IF NOT EXISTS skip the build: the migration fails, unrecorded', async () => {
    const db = await scratch.database();
    await invalidIndex(db, 'public.u', 't_id_key');
    const dir = migrationsDir([
      { tag: '0000_t', sql: 'CREATE TABLE public.t (id int);' },
      {
        tag: '0001_unique',
        sql: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id_key ON t (id);',
      },
    ]);
    const r = await runRunner(db.url, { dir });
    expect(r.code, r.output).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    expect(r.output).toContain(
      'migration failed: 0001_unique.sql, line 2: index t_id_key on t does not exist after the build (IF NOT EXISTS skipped it',
    );
    expect(await applied(db)).toBe(1);
    expect(await valid(db, 'public.t_id_key')).toBe(false); // u's, untouched
  });
});
