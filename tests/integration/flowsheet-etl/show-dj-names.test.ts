// dj_name in the ETL: a new entry carries its name in its INSERT (one write), and an updated
// show's entries follow its new name in the same transaction, touching only those entries.
// Writes are counted by a test trigger that records every row version flowsheet receives.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BadRows, writePage, type LegacyRow } from '@wxyc/legacy-etl';
import { useTestDatabase } from '../../support/test-database.js';
import { legacyEntry, legacyShow } from '../../support/legacy/flowsheet-rows.js';
import { emptyCursor, JOB } from '../../../jobs/flowsheet-etl/src/tick.js';
import { writeEntryPage, writeShowPage } from '../../../jobs/flowsheet-etl/src/write.js';
import { renameShowEntries, renameShowEntriesQuery } from '../../../jobs/flowsheet-etl/src/show-dj-names.js';

const db = useTestDatabase();
const ENTRIES_PER_SHOW = 300;

beforeAll(async () => {
  await db.sql.unsafe(`
    CREATE TABLE public.test_writes (op text, id int, show_id int, dj_name text, xid xid8 DEFAULT pg_current_xact_id());
    CREATE FUNCTION public.test_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO public.test_writes (op, id, show_id, dj_name) VALUES (TG_OP, NEW.id, NEW.show_id, NEW.dj_name); RETURN NEW; END $$;
    CREATE TRIGGER test_log_write AFTER INSERT OR UPDATE ON wxyc_schema.flowsheet FOR EACH ROW EXECUTE FUNCTION public.test_log_write();`);
});
beforeEach(async () => {
  await db.sql`TRUNCATE public.test_writes`;
});

const writes = async () =>
  db.sql<
    { op: string; id: number; show_id: number; dj_name: string | null }[]
  >`SELECT op, id, show_id, dj_name FROM public.test_writes ORDER BY id`;
// A page as the tick writes it (writePage: the write and the cursor in one transaction).
async function shows(...rows: LegacyRow[]) {
  let renamed = 0;
  const r = await writePage(db.sql, JOB, emptyCursor(), async (tx) => {
    const page = await writeShowPage(tx, rows, new BadRows());
    renamed = page.renamed;
    return page.results;
  });
  return { ...r, renamed };
}
async function entries(rows: LegacyRow[]) {
  let resolved = 0;
  const r = await writePage(db.sql, JOB, emptyCursor(), async (tx) => {
    const page = await writeEntryPage(tx, rows, new BadRows());
    resolved = page.resolved;
    return page.results;
  });
  return { ...r, resolved };
}
const entryRows = (show: number, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => legacyEntry(from + i, show));
const namesOf = async (legacyShowId: number) =>
  (
    await db.sql<{ dj_name: string | null; n: number }[]>`
    SELECT f.dj_name, count(*)::int AS n FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id
    WHERE s.legacy_show_id = ${legacyShowId} GROUP BY 1 ORDER BY 1 NULLS LAST`
  ).map((r) => [r.dj_name, r.n]);

describe('a new entry gets its dj_name in its INSERT', () => {
  it('writes each new entry exactly once, already named, and counts the named ones', async () => {
    await shows(legacyShow(1), legacyShow(2, { DJ_HANDLE: ' anonymous ' }));
    await db.sql`TRUNCATE public.test_writes`;
    const a = await entries(entryRows(1, 1, ENTRIES_PER_SHOW));
    const b = await entries(entryRows(2, 1001, ENTRIES_PER_SHOW));
    expect([a.inserted, a.resolved, b.inserted, b.resolved]).toEqual([300, 300, 300, 0]);
    const w = await writes();
    expect(w).toHaveLength(600);
    expect(w.every((r) => r.op === 'INSERT')).toBe(true);
    expect(await namesOf(1)).toEqual([['DJ Handle 1', 300]]);
    expect(await namesOf(2)).toEqual([[null, 300]]); // "anonymous" is no handle, not the word
  });

  it('never writes the account name: a DJ account with a name and no handle gives the legacy handle, then NULL', async () => {
    await db.sql`INSERT INTO auth_user (id, name, email, real_name) VALUES ('dj3', 'Real Person', 'dj3@wxyc.org', 'Real Person')`;
    await shows(legacyShow(3), legacyShow(4, { DJ_HANDLE: null }));
    await db.sql`UPDATE wxyc_schema.shows SET primary_dj_id = 'dj3' WHERE legacy_show_id IN (3, 4)`;
    await entries([...entryRows(3, 2001, 2), ...entryRows(4, 2101, 2)]);
    expect(await namesOf(3)).toEqual([['DJ Handle 3', 2]]);
    expect(await namesOf(4)).toEqual([[null, 2]]);
    await db.sql`UPDATE auth_user SET dj_name = 'DJ Account' WHERE id = 'dj3'`;
    await entries(entryRows(4, 2103, 1));
    expect(await namesOf(4)).toEqual([
      ['DJ Account', 1],
      [null, 2],
    ]);
  });
});

describe('names follow their show', () => {
  it('a re-imported show with a new handle renames exactly its entries, in the same transaction', async () => {
    const r = await shows(legacyShow(1, { DJ_HANDLE: 'DJ Heron', TIME_LAST_MODIFIED: 1 }));
    expect([r.updated, r.renamed]).toEqual([1, ENTRIES_PER_SHOW]);
    const w = await writes();
    expect(w).toHaveLength(ENTRIES_PER_SHOW); // rows touched: this show's entries, once each
    expect(new Set(w.map((x) => `${x.op} ${x.dj_name}`))).toEqual(new Set(['UPDATE DJ Heron']));
    expect(await namesOf(1)).toEqual([['DJ Heron', 300]]);
    expect(await namesOf(2)).toEqual([[null, 300]]); // other shows untouched
    const [tx] = await db.sql<{ same: boolean }[]>`
      SELECT (SELECT xmin FROM wxyc_schema.shows WHERE legacy_show_id = 1)::text
           = ALL (SELECT f.xmin::text FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id WHERE s.legacy_show_id = 1) AS same`;
    expect(tx!.same).toBe(true);
    // dj_name is not one of the columns of 0057's unhash trigger: the rename keeps the mirror's hashes
    const [h] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id
      WHERE s.legacy_show_id = 1 AND f.source_hash IS NULL`;
    expect(h!.n).toBe(0);
  });

  it('a handle that becomes "Anonymous" clears the names; the same show again writes nothing', async () => {
    expect((await shows(legacyShow(1, { DJ_HANDLE: 'ANONYMOUS', TIME_LAST_MODIFIED: 2 }))).renamed).toBe(
      ENTRIES_PER_SHOW,
    );
    expect(await namesOf(1)).toEqual([[null, 300]]);
    await db.sql`TRUNCATE public.test_writes`;
    expect(await shows(legacyShow(1, { DJ_HANDLE: 'ANONYMOUS', TIME_LAST_MODIFIED: 2 }))).toMatchObject({
      updated: 0,
      renamed: 0,
    });
    expect(await writes()).toEqual([]);
  });

  it('a show update that does not change its name rewrites no entry', async () => {
    const r = await shows(legacyShow(2, { DJ_HANDLE: 'Anonymous', SHOW_NAME: 'Renamed show' }));
    expect([r.updated, r.renamed]).toEqual([1, 0]);
    expect(await writes()).toEqual([]);
  });

  it('a failure after the show update rolls back the show and its renamed entries together', async () => {
    await db.sql.unsafe(`CREATE FUNCTION public.test_fail_cursor() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'boom'; END $$;
      CREATE TRIGGER test_fail_cursor BEFORE INSERT OR UPDATE ON wxyc_schema.cronjob_runs FOR EACH ROW EXECUTE FUNCTION public.test_fail_cursor();`);
    try {
      await expect(shows(legacyShow(1, { DJ_HANDLE: 'DJ Lost', TIME_LAST_MODIFIED: 3 }))).rejects.toThrow(/boom/);
    } finally {
      await db.sql.unsafe(
        'DROP TRIGGER test_fail_cursor ON wxyc_schema.cronjob_runs; DROP FUNCTION public.test_fail_cursor()',
      );
    }
    expect(await namesOf(1)).toEqual([[null, 300]]);
    const [s] = await db.sql`SELECT legacy_dj_name FROM wxyc_schema.shows WHERE legacy_show_id = 1`;
    expect(s!.legacy_dj_name).toBe('ANONYMOUS');
  });

  it('an unchanged entry re-imported with a stored name that differs is not rewritten, so its source_hash stays', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet f SET dj_name = 'Stale' FROM wxyc_schema.shows s WHERE s.id = f.show_id AND s.legacy_show_id = 3`;
    await db.sql`TRUNCATE public.test_writes`;
    const r = await entries(entryRows(3, 2001, 2));
    expect([r.inserted, r.updated]).toEqual([0, 0]); // dj_name is passive in the upsert: the refresh rewrites it
    expect(await writes()).toEqual([]);
    const rows = await db.sql<{ h: string | null }[]>`
      SELECT f.source_hash::text AS h FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id WHERE s.legacy_show_id = 3`;
    expect(rows.map((x) => x.h === null)).toEqual([false, false]);
  });

  it('renameShowEntries with no shows is a no-op, and its plan follows the shows, not the table', async () => {
    expect(await renameShowEntries(db.sql, [])).toBe(0);
    await db.sql`INSERT INTO wxyc_schema.flowsheet (show_id, play_order, add_time)
      SELECT (SELECT id FROM wxyc_schema.shows WHERE legacy_show_id = 3), i, now() FROM generate_series(1, 50000) i`;
    await db.sql`ANALYZE wxyc_schema.flowsheet`;
    const [show] = await db.sql<{ id: number }[]>`SELECT id FROM wxyc_schema.shows WHERE legacy_show_id = 1`;
    const plan = (await db.sql`EXPLAIN ${renameShowEntriesQuery(db.sql, [show!.id])}`)
      .map((r) => r['QUERY PLAN'] as string)
      .join('\n');
    expect(plan).toMatch(/Index Scan|Bitmap Index Scan/);
    expect(plan).not.toMatch(/Seq Scan on flowsheet/);
  });
});
