import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, djNameOfRowSql, loadMigrations, searchDocSql, type Migration } from '@wxyc/database';
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

describe('0053, the expand (0054), the index (0059), the dj_name fill (0060) and the switch guard (0061) on a populated table', () => {
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

  it('0060 is catalog only and names no existing row (those are the backfill’s)', async () => {
    const before = await relfilenode();
    const nulls = `SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE entry_type = 'track' AND dj_name IS NULL`;
    const [b] = await db.sql.unsafe<{ n: number }[]>(nulls);
    await apply(migration('0060'));
    expect(await relfilenode()).toBe(before);
    const [a] = await db.sql.unsafe<{ n: number }[]>(nulls);
    expect(a!.n).toBe(b!.n);
    expect(a!.n).toBe(4500 - 2); // ids 1 and 2 were named above
  });

  it('0060 names a track row a writer inserts or updates with dj_name NULL by the rule, before search_doc_new is computed', async () => {
    await db.sql`
      INSERT INTO public.auth_user (id, name, email, dj_name) VALUES
        ('u-owl', 'Olive Realname', 'owl@wxyc.test', ' DJ Owl '), ('u-anon', 'Ann Realname', 'anon@wxyc.test', 'Anony mous')`;
    const [heron, owl, anon] = await db.sql<{ id: number }[]>`
      INSERT INTO wxyc_schema.shows (start_time, primary_dj_id, legacy_dj_name) VALUES
        (now(), NULL, E'\tDJ Heron '), (now(), 'u-owl', 'Legacy Owl'), (now(), 'u-anon', NULL)
      RETURNING id`;
    // What a writer from before dj_name sends: no dj_name; plus a name it chose, and an explicit NULL.
    const rows = await db.sql<{ label: string; dj_name: string | null; rule: string | null; doc: boolean }[]>`
      WITH ins AS (
        INSERT INTO wxyc_schema.flowsheet (show_id, entry_type, artist_name, track_title, play_order, dj_name)
        VALUES (${heron!.id}, 'track', 'Heron', 'no name', 1, DEFAULT),
               (${owl!.id}, 'track', 'Owl', 'no name', 2, DEFAULT),
               (${anon!.id}, 'track', 'Anon', 'no name', 3, DEFAULT),
               (NULL, 'track', 'No show', 'no name', 4, DEFAULT),
               (${heron!.id}, 'talkset', 'Heron', 'talkset', 5, DEFAULT),
               (${heron!.id}, 'track', 'Heron', 'chosen', 6, 'Chosen Name'),
               (${heron!.id}, 'track', 'Heron', 'explicit null', 7, NULL)
        RETURNING *)
      SELECT f.artist_name || ' ' || f.track_title AS label, f.dj_name, ${db.sql.unsafe(djNameOfRowSql('f'))} AS rule,
             f.search_doc_new = (${db.sql.unsafe(searchDocSql('f'))}) AS doc
      FROM ins f ORDER BY f.play_order`;
    expect(rows).toEqual([
      { label: 'Heron no name', dj_name: 'DJ Heron', rule: 'DJ Heron', doc: true },
      { label: 'Owl no name', dj_name: 'DJ Owl', rule: 'DJ Owl', doc: true },
      { label: 'Anon no name', dj_name: null, rule: null, doc: true },
      { label: 'No show no name', dj_name: null, rule: null, doc: true },
      { label: 'Heron talkset', dj_name: null, rule: 'DJ Heron', doc: true },
      { label: 'Heron chosen', dj_name: 'Chosen Name', rule: 'DJ Heron', doc: true },
      { label: 'Heron explicit null', dj_name: 'DJ Heron', rule: 'DJ Heron', doc: true },
    ]);
    // search_doc_new has the name the fill gave (weight B): the fill trigger fired first.
    const [hit] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM wxyc_schema.flowsheet
      WHERE show_id = ${heron!.id} AND search_doc_new @@ to_tsquery('simple', 'heron:B')`;
    expect(hit!.n).toBe(2); // 'no name' and 'explicit null' (the talkset has no name; 'chosen' has its own)

    // UPDATE: a row still NULL is named when anything in it changes; NULL written over a name is
    // replaced by the rule's; a stored name is not re-resolved; a row moved to a named show is named.
    await db.sql`UPDATE wxyc_schema.flowsheet SET artist_name = 'Edited' WHERE id = 5`; // from before 0060, NULL
    await db.sql`UPDATE wxyc_schema.shows SET legacy_dj_name = 'DJ Kite' WHERE id = ${heron!.id}`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET artist_name = 'Heron edited' WHERE show_id = ${heron!.id} AND track_title = 'no name'`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE show_id = ${heron!.id} AND track_title = 'chosen'`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET show_id = ${heron!.id} WHERE show_id = ${anon!.id}`;
    const after = await db.sql<{ id: number; dj_name: string | null; doc: boolean }[]>`
      SELECT f.id, f.dj_name, f.search_doc_new = (${db.sql.unsafe(searchDocSql('f'))}) AS doc FROM wxyc_schema.flowsheet f
      WHERE f.id = 5 OR (f.show_id = ${heron!.id} AND f.track_title IN ('no name', 'chosen')) ORDER BY f.play_order, f.id`;
    expect(after).toEqual([
      { id: expect.any(Number), dj_name: 'DJ Heron', doc: true }, // play_order 1: kept
      { id: expect.any(Number), dj_name: 'DJ Kite', doc: true }, // play_order 3: moved from the anonymous show
      { id: 5, dj_name: 'DJ Bluejay', doc: true }, // play_order 5
      { id: expect.any(Number), dj_name: 'DJ Kite', doc: true }, // play_order 6: NULL written, the rule's name now
    ]);
    await db.sql`DELETE FROM wxyc_schema.flowsheet WHERE id > 5000`;
    await db.sql`DELETE FROM wxyc_schema.shows WHERE id <> 1`;
    await db.sql`DELETE FROM public.auth_user WHERE id IN ('u-owl', 'u-anon')`;
  });

  it('0061 refuses while a track row has NULL dj_name that the rule can fill, naming the backfill and the count; nothing changes', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay' WHERE id > 3`;
    const err = await failure(apply(migration('0061')));
    expect(err?.message).toBe(
      'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0061',
    );
    expect(err?.detail).toBe('1 track rows have dj_name IS NULL and a DJ name the backfill can fill'); // ids 1, 2 got one above
    expect(await hasColumn('search_doc_new')).toBe(true);
    expect(await hasColumn('search_doc')).toBe(true);
  });

  it('0061 refuses while a row has search_doc_new IS NULL (NULL dj_name on non-track rows does not block)', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay' WHERE entry_type = 'track'`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE entry_type <> 'track'`;
    // rows untouched since 0054 still have no value: make one of them
    await db.sql`ALTER TABLE wxyc_schema.flowsheet DISABLE TRIGGER flowsheet_search_doc_fill`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET search_doc_new = NULL WHERE id IN (10, 11)`;
    await db.sql`ALTER TABLE wxyc_schema.flowsheet ENABLE TRIGGER flowsheet_search_doc_fill`;
    const err = await failure(apply(migration('0061')));
    expect(err?.message).toBe(
      'flowsheet.search_doc_new backfill incomplete; run jobs/backfills/flowsheet-search-doc-backfill before applying 0061',
    );
    expect(err?.detail).toBe('2 rows have search_doc_new IS NULL');
  });

  it('0061 refuses when the index of 0059 is INVALID (a killed build)', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET search_doc_new = NULL WHERE id IN (10, 11)`; // the trigger fills them
    await db.sql`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'wxyc_schema.flowsheet_search_doc_new_idx'::regclass`;
    const err = await failure(apply(migration('0061')));
    expect(err?.message).toBe(
      'index wxyc_schema.flowsheet_search_doc_new_idx is missing or INVALID; 0059 must build it before 0061',
    );
    await db.sql`UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'wxyc_schema.flowsheet_search_doc_new_idx'::regclass`;
  });

  it('0061 switches without a rewrite once everything is filled; the trigger then writes search_doc', async () => {
    const before = await relfilenode();
    await apply(migration('0061'));
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
