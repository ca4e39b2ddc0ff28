// The other mirror findings (issue #25, item 4), on rotation: a whole range deleted on purpose is
// deleted only when the operator names it (--confirm-deleted), never automatically; an ID the
// source holds twice is reported with its id and the same copy wins whatever the order; a time
// more than 5 minutes ahead falls through to the next usable one.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, LEGACY_ROTATION_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyRotation } from '../../support/legacy/catalogue-rows.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { rotationEtl } from '../../../jobs/rotation-etl/src/main.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL, LEGACY_ROTATION_DDL]);
const env = () => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url, ETL_VERIFY_RANGE_IDS: '64' });
const run = (args: string[] = []) => runEtlMain('rotation-etl', rotationEtl, env(), args);
const ok = (r: { code: number; lines: string[] }) => expect(r.code, r.lines.join('\n')).toBe(0);
const count = async () => (await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.rotation`)[0]!.n;

describe.skipIf(!server)('rotation-etl: deleted ranges, duplicate ids, future times', () => {
  it('a whole range gone is refused on every pass, and deleted only once the operator names it', async () => {
    await insertLegacy(
      legacy.conn,
      'ROTATION_RELEASE',
      Array.from({ length: 300 }, (_, i) => legacyRotation(i + 1)),
    );
    ok(await run());
    await legacy.exec('DELETE FROM ROTATION_RELEASE WHERE ID <= 128');
    for (let pass = 0; pass < 2; pass++) {
      const r = await run(['--verify', '--repair']);
      ok(r);
      expect(r.lines.join('\n')).toContain(
        'verify ROTATION_RELEASE: MySQL answered no rows for ids 1-64 where wxyc_schema.rotation has 64; not deleting (a whole range gone looks like an outage). If it was deleted on purpose: node dist/job.js --verify --repair --confirm-deleted ROTATION_RELEASE:FROM-TO (the deleted ids).',
      );
      expect(await count()).toBe(300);
    }
    // Naming part of it deletes that part only; the rest is still refused.
    const part = await run(['--verify', '--repair', '--confirm-deleted', 'ROTATION_RELEASE:1-100']);
    ok(part);
    expect(part.lines.join('\n')).toContain('ids 65-128 where wxyc_schema.rotation has 28; not deleting');
    expect(await count()).toBe(200);
    ok(await run(['--verify', '--repair', '--confirm-deleted=ROTATION_RELEASE:101-128']));
    expect(await count()).toBe(172);
    expect((await db.sql`SELECT min(legacy_rotation_id)::int AS m FROM wxyc_schema.rotation`)[0]!.m).toBe(129);
    const bad = await run(['--verify', '--confirm-deleted', 'ROTATION_RELEASE:1-128']);
    expect([bad.code, bad.lines]).toEqual([
      2,
      ['[rotation-etl] error: --confirm-deleted deletes rows: it needs --verify --repair.'],
    ]);
  });

  it('an ID held twice is reported once per pass with its id; the copy modified last wins whatever the order', async () => {
    await legacy.exec(
      'ALTER TABLE ROTATION_RELEASE MODIFY `ID` int(11) NOT NULL, DROP PRIMARY KEY, ADD KEY `ID` (`ID`)',
    );
    const now = Date.now() - 60_000;
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [
      legacyRotation(301, { TITLE: 'Newer copy', TIME_LAST_MODIFIED: now }),
      legacyRotation(301, { TITLE: 'Older copy', TIME_LAST_MODIFIED: now - 1000 }),
      legacyRotation(302, { TITLE: 'Older copy', TIME_LAST_MODIFIED: now - 1000 }),
      legacyRotation(302, { TITLE: 'Newer copy', TIME_LAST_MODIFIED: now }),
    ]);
    const r = await run();
    ok(r);
    expect(r.lines.filter((l) => l.includes('more than once'))).toEqual([
      '[rotation-etl] warning: repaired 2 rows, ROTATION_RELEASE: the same ID more than once in the source (no primary key?): imported the copy modified last (then the larger source hash) (legacy ids 301, 302)',
    ]);
    expect(
      await db.sql`SELECT legacy_rotation_id AS id, album_title FROM wxyc_schema.rotation WHERE legacy_rotation_id > 300 ORDER BY 1`,
    ).toEqual([
      { id: 301, album_title: 'Newer copy' },
      { id: 302, album_title: 'Newer copy' },
    ]);
  });

  it('copies of one ID on both sides of a page boundary: both read, the one modified last wins', async () => {
    // Pages of 2: 310 then the older copy of 311 fill the first page; the newer copy comes after
    // it in MySQL's order (insertion order under the non-unique key).
    const now = Date.now() - 60_000;
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [
      legacyRotation(310, { TIME_LAST_MODIFIED: now }),
      legacyRotation(311, { TITLE: 'Older copy', TIME_LAST_MODIFIED: now - 1000 }),
      legacyRotation(311, { TITLE: 'Newer copy', TIME_LAST_MODIFIED: now }),
      legacyRotation(312, { TIME_LAST_MODIFIED: now }),
    ]);
    const r = await runEtlMain('rotation-etl', rotationEtl, { ...env(), ETL_BATCH_SIZE: '2' }, []);
    ok(r);
    // One line per pass (the earlier case's 301 and 302 are in the edit window again).
    const dupLines = r.lines.filter((l) => l.includes('more than once'));
    expect(dupLines).toHaveLength(1);
    expect(dupLines[0]).toMatch(/ROTATION_RELEASE: the same ID more than once .* \(legacy ids (\d+, )*311\)$/);
    expect(
      await db.sql`SELECT legacy_rotation_id AS id FROM wxyc_schema.rotation WHERE legacy_rotation_id BETWEEN 310 AND 312 ORDER BY 1`,
    ).toEqual([{ id: 310 }, { id: 311 }, { id: 312 }]);
    expect(
      (await db.sql`SELECT album_title FROM wxyc_schema.rotation WHERE legacy_rotation_id = 311`)[0]!.album_title,
    ).toBe('Newer copy');
  });

  it('a time more than 5 minutes ahead falls through to the next usable one', async () => {
    const now = Date.now();
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [
      legacyRotation(400, {
        ROTATION_ADD_DATE: now + 3_600_000,
        TIME_CREATED: Date.UTC(2026, 0, 2, 17),
        TIME_LAST_MODIFIED: now - 1000,
      }),
      legacyRotation(401, {
        ROTATION_ADD_DATE: now + 60_000,
        TIME_CREATED: Date.UTC(2026, 0, 2, 17),
        TIME_LAST_MODIFIED: now - 1000,
      }),
    ]);
    ok(await run());
    const rows =
      await db.sql`SELECT legacy_rotation_id AS id, add_date::text FROM wxyc_schema.rotation WHERE legacy_rotation_id >= 400 ORDER BY 1`;
    expect(rows[0]).toEqual({ id: 400, add_date: '2026-01-02' });
    expect(rows[1]!.add_date).not.toBe('2026-01-02');
  });
});
