// resolveDjNames: exactly the given rows, the shared COALESCE order, and a plan that follows
// the number of ids (no sequential scan of flowsheet).
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { resolveDjNames, resolveDjNamesQuery } from '../../../jobs/flowsheet-etl/src/resolve-dj-names.js';

const db = useTestDatabase();

/** show -> the dj_name it should give, exercising each step of COALESCE(u.dj_name, s.legacy_dj_name, u.name). */
const EXPECTED: Record<string, string | null> = {
  account: 'DJ Account', // u.dj_name wins over legacy_dj_name and u.name
  legacy: 'Legacy Handle', // no u.dj_name: the legacy handle
  name: 'Only A Name', // neither: the account's name
  nobody: null, // nothing to resolve: the row stays NULL
};

let entry: Record<string, number> = {};

beforeAll(async () => {
  const sql = db.sql;
  await sql`INSERT INTO public.auth_user (id, name, email, dj_name) VALUES
    ('u1', 'Account Name', 'u1@example.org', 'DJ Account'), ('u2', 'Only A Name', 'u2@example.org', NULL)`;
  const shows = await sql<{ id: number; show_name: string }[]>`
    INSERT INTO wxyc_schema.shows (show_name, start_time, primary_dj_id, legacy_dj_name) VALUES
      ('account', now(), 'u1', 'Legacy Ignored'), ('legacy', now(), 'u2', 'Legacy Handle'),
      ('name', now(), 'u2', NULL), ('nobody', now(), NULL, NULL)
    RETURNING id, show_name`;
  const rows = await sql<{ id: number; show_name: string }[]>`
    INSERT INTO wxyc_schema.flowsheet (show_id, play_order, add_time)
    SELECT id, 1, now() FROM wxyc_schema.shows RETURNING id, (SELECT show_name FROM wxyc_schema.shows s WHERE s.id = show_id)`;
  entry = Object.fromEntries(rows.map((r) => [r.show_name, r.id]));
  expect(shows).toHaveLength(4);
  // A legacy row with a NULL dj_name and a row that already has one.
  const [legacyShow] = shows;
  await sql`INSERT INTO wxyc_schema.flowsheet (show_id, play_order, add_time, legacy_entry_id) VALUES (${legacyShow!.id}, 2, now(), 1)`;
  await sql`INSERT INTO wxyc_schema.flowsheet (show_id, play_order, add_time, dj_name) VALUES (${legacyShow!.id}, 3, now(), 'Set Before')`;
});

const djNames = async () =>
  Object.fromEntries((await db.sql`SELECT id, dj_name FROM wxyc_schema.flowsheet ORDER BY id`).map((r) => [r.id, r.dj_name]));

describe('resolveDjNames', () => {
  it('does nothing for an empty list', async () => {
    const before = await djNames();
    expect(await resolveDjNames(db.sql, [])).toEqual({ resolved: 0, requested: 0 });
    expect(await djNames()).toEqual(before);
  });

  it('fills exactly one row for one id', async () => {
    const before = await djNames();
    expect(await resolveDjNames(db.sql, [entry.legacy!])).toEqual({ resolved: 1, requested: 1 });
    expect(await djNames()).toEqual({ ...before, [entry.legacy!]: 'Legacy Handle' });
  });

  it('fills exactly the given rows for many ids, in COALESCE order, and leaves the rest', async () => {
    const before = await djNames();
    const ids = [entry.account!, entry.name!, entry.nobody!];
    expect(await resolveDjNames(db.sql, ids)).toEqual({ resolved: 2, requested: 3 });
    const after = await djNames();
    expect(after).toEqual({ ...before, [entry.account!]: EXPECTED.account, [entry.name!]: EXPECTED.name });
    expect(Object.values(after).filter((v) => v === null)).toHaveLength(2); // 'nobody' and the legacy row
  });

  it('does not overwrite a dj_name that is already set', async () => {
    const [set] = await db.sql`SELECT id FROM wxyc_schema.flowsheet WHERE dj_name = 'Set Before'`;
    expect(await resolveDjNames(db.sql, [set!.id])).toEqual({ resolved: 0, requested: 1 });
    expect((await djNames())[set!.id]).toBe('Set Before');
  });
});

describe('resolveDjNames on a 200k-row flowsheet', () => {
  it('plans 500 ids without a Seq Scan on flowsheet', async () => {
    const sql = db.sql;
    await sql`INSERT INTO wxyc_schema.shows (show_name, start_time, legacy_dj_name)
      SELECT 'show ' || i, now(), 'dj ' || i FROM generate_series(1, 2000) i`;
    await sql`INSERT INTO wxyc_schema.flowsheet (show_id, play_order, add_time, artist_name, dj_name)
      SELECT s.id, i, now(), 'artist ' || i, CASE WHEN i % 400 = 0 THEN NULL ELSE 'dj' END
      FROM generate_series(1, 200000) i JOIN wxyc_schema.shows s ON s.show_name = 'show ' || (1 + i % 2000)`;
    await sql`ANALYZE wxyc_schema.flowsheet`;
    await sql`ANALYZE wxyc_schema.shows`;
    const { n } = (await sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet`)[0]!;
    expect(n).toBeGreaterThanOrEqual(200_000);
    const ids = (await sql<{ id: number }[]>`SELECT id FROM wxyc_schema.flowsheet WHERE dj_name IS NULL ORDER BY id DESC LIMIT 500`).map((r) => r.id);
    expect(ids).toHaveLength(500);

    const plan = (await sql`EXPLAIN ${resolveDjNamesQuery(sql, ids)}`).map((r) => r['QUERY PLAN'] as string).join('\n');
    expect(plan).toMatch(/Index Scan|Bitmap Index Scan/);
    expect(plan).not.toMatch(/Seq Scan on flowsheet/);

    expect((await resolveDjNames(sql, ids)).resolved).toBe(500);
  });
});
