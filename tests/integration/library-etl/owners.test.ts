// library-etl's source-else-local column (issue #25): format_id. A release whose legacy FORMAT_ID
// is 0 (none) keeps the format a local job gave it through ticks and a verification lap; a legacy
// format set later wins.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyRelease } from '../../support/legacy/catalogue-rows.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { libraryEtl } from '../../../jobs/library-etl/src/main.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED]);
const run = async (args: string[] = []) => {
  const r = await runEtlMain(
    'library-etl',
    libraryEtl,
    { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url },
    args,
  );
  expect(r.code, r.lines.join('\n')).toBe(0);
  return r.lines.join('\n');
};
const formatOf = async (legacyId: number) =>
  (
    await db.sql<{ f: string | null }[]>`
    SELECT f.format_name AS f FROM wxyc_schema.library l LEFT JOIN wxyc_schema.formats f ON f.id = l.format_id
    WHERE l.legacy_release_id = ${legacyId}`
  )[0]!.f;

describe.skipIf(!server)('library-etl: format_id is source-else-local', () => {
  it('a local format of a release without one is kept by ticks and verification; a legacy one wins', async () => {
    await insertLegacy(legacy.conn, 'LIBRARY_RELEASE', [legacyRelease(50, 1, { FORMAT_ID: 0 })]);
    await run();
    expect(await formatOf(50)).toBeNull();
    // A local job (say, a Discogs enrichment) knows the format.
    await db.sql`UPDATE wxyc_schema.library SET format_id = (SELECT id FROM wxyc_schema.formats WHERE format_name = 'vinyl')
                 WHERE legacy_release_id = 50`;
    await run();
    const lap = await run(['--verify', '--repair']);
    expect(lap).toMatch(/verify LIBRARY_RELEASE: .*0 changed, 0 missing, 0 extra/);
    expect(await formatOf(50)).toBe('vinyl');

    await legacy.exec(
      `UPDATE LIBRARY_RELEASE SET FORMAT_ID = 3, TIME_LAST_MODIFIED = ${Date.now() - 60_000} WHERE ID = 50`,
    );
    await run();
    expect(await formatOf(50)).toBe('cassette');
  });
});
