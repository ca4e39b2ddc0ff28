// The job as it runs in its container: `node jobs/rotation-etl/dist/job.js` against real databases.
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@wxyc/local-postgres';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_ROTATION_DDL, LEGACY_ROTATION_SEED, useLegacyDatabase } from '../../support/mysql.js';
import { ensureJobBuilt, runJobProcess } from '../../support/legacy/job-dist.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_ROTATION_DDL, LEGACY_ROTATION_SEED]);
let job = '';
const cronRow = async () =>
  (await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'rotation-etl'`)[0];

beforeAll(() => {
  job = ensureJobBuilt('jobs/rotation-etl', '@wxyc/job-rotation-etl');
}, 180_000);

describe('rotation-etl dist: configuration', () => {
  it('missing LEGACY_DATABASE_URL: one line naming it, exit 2', async () => {
    const r = await runJobProcess(job, [], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      '[rotation-etl] error: LEGACY_DATABASE_URL is not set: it must be a mysql:// URL of the legacy database.',
    ]);
  });
});

describe.skipIf(!server)('rotation-etl dist against MariaDB and PostgreSQL', () => {
  it('unreachable MySQL: exit 3, one line with the password masked, nothing written', async () => {
    const port = await freePort();
    const r = await runJobProcess(job, [], {
      DATABASE_URL: db.url,
      LEGACY_DATABASE_URL: `mysql://root:secret@127.0.0.1:${port}/legacy`,
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(
        `[rotation-etl] error: legacy MySQL at mysql://root:***@127.0.0.1:${port}/legacy is unreachable`,
      ),
    ]);
    expect(await cronRow()).toBeUndefined();
  });

  it('imports the seed: exit 0, the skipped entry and the summary line, the rows', async () => {
    const r = await runJobProcess(job, [], { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url });
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
