// The job as it runs in its container: `node jobs/rotation-etl/dist/job.js` against real databases.
import { describe, expect, it } from 'vitest';
import { LEGACY_ROTATION_DDL, LEGACY_ROTATION_SEED } from '../../support/mysql.js';
import { mirrorEtlDist } from '../../support/legacy/mirror-etl-dist.js';

const { server, db, cronRow, run } = await mirrorEtlDist('rotation-etl', [LEGACY_ROTATION_DDL, LEGACY_ROTATION_SEED]);

describe.skipIf(!server)('rotation-etl dist against MariaDB and PostgreSQL', () => {
  it('imports the seed: exit 0, the skipped entry and the summary line, the rows', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^\[rotation-etl\] tick done in \d+ ms: rotation 4 new, 0 updated \(5 legacy rows read\); 0 linked .*, 3 still waiting for theirs/m,
    );
    expect(r.stderr).toContain(
      '[rotation-etl] warning: skipped 1 row, ROTATION_RELEASE: blank ROTATION_TYPE (legacy id 5)',
    );
    expect(
      (await db.sql`SELECT count(*)::int AS n, count(kill_date)::int AS closed FROM wxyc_schema.rotation`)[0],
    ).toEqual({ n: 4, closed: 1 });
    expect((await cronRow())!.cursor.rotation.maxId).toBe(5);
  });
});
