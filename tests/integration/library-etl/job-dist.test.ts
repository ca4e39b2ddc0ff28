// The job as it runs in its container: `node jobs/library-etl/dist/job.js` against real databases.
import { describe, expect, it } from 'vitest';
import { LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED } from '../../support/mysql.js';
import { mirrorEtlDist } from '../../support/legacy/mirror-etl-dist.js';

const { server, db, cronRow, run } = await mirrorEtlDist('library-etl', [LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED]);

describe.skipIf(!server)('library-etl dist against MariaDB and PostgreSQL', () => {
  it('imports the seed: exit 0, the summary line and the rows', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^\[library-etl\] tick done in \d+ ms: 4 genres and 3 formats written; artists 4 new, 0 updated; releases 5 new, 0 updated/m,
    );
    expect(
      (
        await db.sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE missing)::int AS missing FROM wxyc_schema.library`
      )[0],
    ).toEqual({ n: 5, missing: 1 });
    expect((await cronRow())!.cursor.releases.maxId).toBe(5);
  });
});
