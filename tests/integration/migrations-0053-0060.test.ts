import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, loadMigrations, searchDocSql, type Migration } from '@wxyc/database';
import { useTestDatabase } from '../support/test-database.js';
import { migrateWithDrizzle } from '../support/drizzle-migrate.js';
import { insertShowWithFlowsheet } from '../support/flowsheet-rows.js';

const db = useTestDatabase('empty');
const migration = (n: string): Migration => loadMigrations(MIGRATIONS_DIR).find((m) => m.tag.startsWith(n))!;

async function apply(m: Migration): Promise<void> {
  if (m.noTransaction) {
    await db.sql.unsafe(m.statements[0]!.sql);
    return;
  }
  await db.sql.begin(async (tx) => {
    for (const s of m.statements) await tx.unsafe(s.sql);
  });
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: Error & { detail?: string }) => e,
  );

const relfilenode = async () =>
  (await db.sql<{ f: string }[]>`SELECT pg_relation_filenode('wxyc_schema.flowsheet')::text AS f`)[0]!.f;
const hasColumn = async (name: string) =>
  (
    await db.sql<{ has: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'wxyc_schema.flowsheet'::regclass AND attname = ${name} AND NOT attisdropped) AS has`
  )[0]!.has;

describe('0053, the expand (0054), the index (0059) and the switch guard (0060) on a populated table', () => {
  beforeAll(async () => {
    await migrateWithDrizzle(db.url, { upTo: '0052' });
    await insertShowWithFlowsheet(db.sql, 5000);
  });

  it('0053 and 0054 are metadata-only: the table is not rewritten, and existing rows are left NULL', async () => {
    const before = await relfilenode();
    await apply(migration('0053'));
    await apply(migration('0054'));
    expect(await relfilenode()).toBe(before);
    const [row] = await db.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE search_doc_new IS NULL`;
    expect(row!.n).toBe(5000);
  });

  it('the trigger computes search_doc_new on INSERT and UPDATE, dj_name included, over any value a writer sets', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay', search_doc_new = 'bogus' WHERE id IN (1, 2)`;
    const rows = await db.sql<{ ok: boolean; dj: boolean }[]>`
      SELECT search_doc_new = (${db.sql.unsafe(searchDocSql('f'))}) AS ok, search_doc_new @@ to_tsquery('simple', 'bluejay:B') AS dj
      FROM wxyc_schema.flowsheet f WHERE id IN (1, 2)`;
    expect(rows).toEqual([
      { ok: true, dj: true },
      { ok: true, dj: true },
    ]);
  });

  it('0059 builds the index outside a transaction; it is valid', async () => {
    await apply(migration('0059'));
    const [i] = await db.sql<
      { valid: boolean }[]
    >`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'wxyc_schema.flowsheet_search_doc_new_idx'::regclass`;
    expect(i!.valid).toBe(true);
  });

  it('0060 refuses while a track row has NULL dj_name that the rule can fill, naming the backfill and the count; nothing changes', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay' WHERE id > 3`;
    const err = await failure(apply(migration('0060')));
    expect(err?.message).toBe(
      'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0060',
    );
    expect(err?.detail).toBe('1 track rows have dj_name IS NULL and a DJ name the backfill can fill'); // ids 1, 2 got one above
    expect(await hasColumn('search_doc_new')).toBe(true);
    expect(await hasColumn('search_doc')).toBe(true);
  });

  it('0060 refuses while a row has search_doc_new IS NULL (NULL dj_name on non-track rows does not block)', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay' WHERE entry_type = 'track'`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE entry_type <> 'track'`;
    // rows untouched since 0054 still have no value: make one of them
    await db.sql`ALTER TABLE wxyc_schema.flowsheet DISABLE TRIGGER flowsheet_search_doc_fill`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET search_doc_new = NULL WHERE id IN (10, 11)`;
    await db.sql`ALTER TABLE wxyc_schema.flowsheet ENABLE TRIGGER flowsheet_search_doc_fill`;
    const err = await failure(apply(migration('0060')));
    expect(err?.message).toBe(
      'flowsheet.search_doc_new backfill incomplete; run jobs/backfills/flowsheet-search-doc-backfill before applying 0060',
    );
    expect(err?.detail).toBe('2 rows have search_doc_new IS NULL');
  });

  it('0060 refuses when the index of 0059 is INVALID (a killed build)', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET search_doc_new = NULL WHERE id IN (10, 11)`; // the trigger fills them
    await db.sql`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'wxyc_schema.flowsheet_search_doc_new_idx'::regclass`;
    const err = await failure(apply(migration('0060')));
    expect(err?.message).toBe(
      'index wxyc_schema.flowsheet_search_doc_new_idx is missing or INVALID; 0059 must build it before 0060',
    );
    await db.sql`UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'wxyc_schema.flowsheet_search_doc_new_idx'::regclass`;
  });

  it('0060 switches without a rewrite once everything is filled; the trigger then writes search_doc', async () => {
    const before = await relfilenode();
    await apply(migration('0060'));
    expect(await relfilenode()).toBe(before);
    expect(await hasColumn('search_doc_new')).toBe(false);
    const [row] = await db.sql<{ hit: number }[]>`
      SELECT count(*)::int AS hit FROM wxyc_schema.flowsheet WHERE search_doc @@ to_tsquery('simple', 'bluejay')`;
    expect(row!.hit).toBe(4500);
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Heron' WHERE id = 1`;
    const [h] = await db.sql<
      { ok: boolean }[]
    >`SELECT search_doc @@ to_tsquery('simple', 'heron') AS ok FROM wxyc_schema.flowsheet WHERE id = 1`;
    expect(h!.ok).toBe(true);
  });
});
