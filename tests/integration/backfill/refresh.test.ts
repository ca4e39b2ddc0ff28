// --refresh: stored names that differ from the DJ-name rule are re-resolved (NULL included), by
// reason in the dry run; rows already right are not written. 0054's guard agrees with the job's check.
import { beforeAll, describe, expect, it } from 'vitest';
import { runBackfill } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import {
  flowsheetDjName,
  flowsheetDjNameRefresh,
  guardCount,
  refreshPendingCount,
  refreshReasons,
} from '../../../jobs/backfills/flowsheet-dj-name-backfill/src/definition.js';
import { addShowWithTracks, captureLog, wrongNames } from './helpers.js';

const db = useTestDatabase('empty');
const refresh = (dryRun = false) =>
  runBackfill(flowsheetDjNameRefresh, { sql: db.sql, log: captureLog(), batchSize: 100, targetMs: 300, dryRun });

let shows: Record<string, number> = {};

beforeAll(async () => {
  await migrateWithDrizzle(db.url, { upTo: '0053' });
  const sql = db.sql;
  await sql`INSERT INTO auth_user (id, name, email, dj_name, real_name) VALUES
    ('real', 'Pat Realname', 'p@wxyc.org', NULL, 'Patricia Realname'),
    ('anon', 'Sam Person', 's@wxyc.org', 'Anonymous', NULL),
    ('heron', 'Hal Person', 'h@wxyc.org', 'DJ Heron', NULL)`;
  // Names as an earlier version (COALESCE(u.dj_name, s.legacy_dj_name, u.name)) wrote them.
  shows = {
    realName: await addShowWithTracks(sql, null, 40), // account name only: was 'Pat Realname', must be NULL
    realNameLegacy: await addShowWithTracks(sql, 'DJ Legacy', 30), // real_name stored: must be the legacy handle
    anonymous: await addShowWithTracks(sql, null, 20), // 'Anonymous' stored: must be NULL
    changed: await addShowWithTracks(sql, 'DJ Old', 25), // the show's DJ changed to heron
    right: await addShowWithTracks(sql, 'DJ Right', 200), // already right: never written
  };
  await sql`UPDATE wxyc_schema.shows SET primary_dj_id = 'real' WHERE id IN (${shows.realName!}, ${shows.realNameLegacy!})`;
  await sql`UPDATE wxyc_schema.shows SET primary_dj_id = 'anon' WHERE id = ${shows.anonymous!}`;
  await sql`UPDATE wxyc_schema.flowsheet SET dj_name = CASE show_id
      WHEN ${shows.realName!} THEN 'Pat Realname' WHEN ${shows.realNameLegacy!} THEN 'Patricia Realname'
      WHEN ${shows.anonymous!} THEN ' anonymous' WHEN ${shows.changed!} THEN 'DJ Old' ELSE 'DJ Right' END`;
  await sql`UPDATE wxyc_schema.shows SET primary_dj_id = 'heron' WHERE id = ${shows.changed!}`;
  await sql`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE show_id = ${shows.realNameLegacy!} AND track_title = 'Track 1'`;
});

describe('flowsheet-dj-name --refresh', () => {
  it('dry run: counts what would change by reason, with sample ids, and writes nothing', async () => {
    const before = await wrongNames(db.sql);
    expect((await refreshReasons(db.sql)).map((g) => [g.reason, g.count])).toEqual([
      ['anonymous', 20],
      ['handle changed', 25],
      ['real name', 40 + 29],
    ]);
    const s = await refresh(true);
    expect(s.pendingAtStart).toBe(114);
    expect(s.rowsWritten).toBe(0);
    expect(await wrongNames(db.sql)).toBe(before);
  });

  it('rewrites exactly the differing rows, NULL included, and leaves right and NULL rows alone', async () => {
    const xmins = async () =>
      new Map((await db.sql`SELECT id, xmin::text AS x FROM wxyc_schema.flowsheet`).map((r) => [r.id, r.x]));
    const before = await xmins();
    const s = await refresh();
    expect([s.rowsProcessed, s.rowsWritten, s.rowsUnresolved]).toEqual([114, 114, 0]);
    const after = await xmins();
    expect([...after].filter(([id, x]) => before.get(id) !== x)).toHaveLength(114); // rows touched: only those
    const names = await db.sql<{ show_id: number; dj_name: string | null; n: number }[]>`
      SELECT show_id, dj_name, count(*)::int AS n FROM wxyc_schema.flowsheet GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`;
    expect(names.map((r) => [r.show_id, r.dj_name, r.n])).toEqual([
      [shows.realName, null, 40],
      [shows.realNameLegacy, null, 1], // the fill's row, not the refresh's
      [shows.realNameLegacy, 'DJ Legacy', 29],
      [shows.anonymous, null, 20],
      [shows.changed, 'DJ Heron', 25],
      [shows.right, 'DJ Right', 200],
    ]);
    expect(await refreshPendingCount(db.sql)).toBe(0);
    expect(await db.sql`SELECT 1 FROM wxyc_schema.flowsheet WHERE dj_name ILIKE '%realname%'`).toHaveLength(0);
  });

  it('a second refresh finds nothing to do; the fill then fills the one NULL row with a handle', async () => {
    expect(
      (
        await runBackfill(flowsheetDjNameRefresh, {
          sql: db.sql,
          log: captureLog(),
          batchSize: 100,
          targetMs: 300,
          reset: true,
        })
      ).rowsWritten,
    ).toBe(0);
    expect(await guardCount(db.sql)).toBe(1);
    const fill = await runBackfill(flowsheetDjName, { sql: db.sql, log: captureLog(), batchSize: 100, targetMs: 300 });
    expect(fill.rowsWritten).toBe(1);
    expect(fill.unresolved.map((g) => [g.reason, g.count])).toEqual([['show without handle', 60]]);
    expect(await guardCount(db.sql)).toBe(0);
    expect(await wrongNames(db.sql)).toBe(0);
  });

  it('every refresh row is resolved (reason NULL), so the fallback never applies: a cleared name stays NULL, not the placeholder', async () => {
    const [row] = await db.sql<{ id: number }[]>`
      UPDATE wxyc_schema.flowsheet SET dj_name = 'Pat Realname' WHERE id = (SELECT min(id) FROM wxyc_schema.flowsheet WHERE show_id = ${shows.realName!}) RETURNING id`;
    const s = await runBackfill(flowsheetDjNameRefresh, {
      sql: db.sql,
      log: captureLog(),
      batchSize: 100,
      targetMs: 300,
      fallback: { dj_name: 'Unknown DJ' },
    });
    expect([s.rowsWritten, s.rowsFallback, s.rowsUnresolved]).toEqual([1, 0, 0]);
    expect((await db.sql`SELECT dj_name FROM wxyc_schema.flowsheet WHERE id = ${row!.id}`)[0]!.dj_name).toBeNull();
  });

  it("0054's guard agrees with the job's check: it applies now, with 60 no-handle rows left NULL", async () => {
    await migrateWithDrizzle(db.url, { upTo: '0054' });
    const [row] = await db.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE dj_name IS NULL`;
    expect(row!.n).toBe(60);
  });
});
