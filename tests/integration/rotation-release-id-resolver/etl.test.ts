// The resolver's ids survive the mirror: after the job wrote ids for rows the legacy has none for
// (DISCOGS_RELEASE_ID 0), rotation-etl ticks and a verification lap with repair keep them
// (discogs_release_id is source-else-local); the resolver's two columns are never touched by the ETL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, LEGACY_ROTATION_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyRotation } from '../../support/legacy/catalogue-rows.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { startLmlServer } from '../../support/lml-server.js';
import { rotationEtl } from '../../../jobs/rotation-etl/src/main.js';
import { API_KEY, runResolver, summaryOf } from './run-job.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL, LEGACY_ROTATION_DDL]);
const env = (more: Record<string, string> = {}) => ({
  DATABASE_URL: db.url,
  LEGACY_DATABASE_URL: legacy.url,
  ETL_BATCH_SIZE: '50',
  ...more,
});
const ok = (r: { code: number; lines: string[] }) => expect(r.code, r.lines.join('\n')).toBe(0);
let lml: Awaited<ReturnType<typeof startLmlServer>>;
beforeAll(async () => {
  lml = await startLmlServer(API_KEY);
});
afterAll(() => lml?.close());

const state = () =>
  db.sql`SELECT legacy_rotation_id AS id, discogs_release_id AS rid, discogs_release_id_source AS src, discogs_release_id_attempted_at IS NOT NULL AS stamped
         FROM wxyc_schema.rotation ORDER BY legacy_rotation_id`.then((rs) =>
    rs.map((r) => [r.id, r.rid, r.src, r.stamped]),
  );

describe.skipIf(!server)('rotation-release-id-resolver and rotation-etl', () => {
  it('ids the resolver wrote survive ticks and a verification lap with repair; a legacy id is never asked for', async () => {
    // rows 1-4: no legacy id (0); 5: a legacy id
    await insertLegacy(
      legacy.conn,
      'ROTATION_RELEASE',
      [1, 2, 3, 4, 5].map((i) => legacyRotation(i, { DISCOGS_RELEASE_ID: i === 5 ? 4242 : 0 })),
    );
    ok(await runEtlMain('rotation-etl', rotationEtl, env()));
    const r = await runResolver(db.url, lml.url);
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(summaryOf(r.lines)).toMatchObject({ scanned: 4, resolved: 4 });
    expect(lml.requests.map((q) => (q.body as { artist: string }).artist).sort()).toEqual([
      'Artist 1',
      'Artist 2',
      'Artist 3',
      'Artist 4',
    ]);
    // the stand-in's default answer: direct, release id 1000 + the length of "<artist> - <album>"
    const resolved = [1, 2, 3, 4].map((i) => [i, 1000 + `Artist ${i} - Album ${i}`.length, 'lml_direct', true]);
    const after = [...resolved, [5, 4242, 'legacy', false]];
    expect(await state()).toEqual(after);
    ok(await runEtlMain('rotation-etl', rotationEtl, env({ ETL_VERIFY_LAP_TICKS: '0' })));
    ok(await runEtlMain('rotation-etl', rotationEtl, env(), ['--verify', '--repair']));
    expect(await state()).toEqual(after);
    // an edit in the legacy re-imports the row: the local id and the resolver's columns stay
    await legacy.exec(
      `UPDATE ROTATION_RELEASE SET TITLE = 'Album 2 (edited)', TIME_LAST_MODIFIED = ${Date.now()} WHERE ID = 2`,
    );
    ok(await runEtlMain('rotation-etl', rotationEtl, env({ ETL_VERIFY_LAP_TICKS: '0' })));
    expect(await state()).toEqual(after);
    expect(
      (await db.sql`SELECT album_title FROM wxyc_schema.rotation WHERE legacy_rotation_id = 2`)[0]!.album_title,
    ).toBe('Album 2 (edited)');
  });
});
