// The job as it runs in its container: `node jobs/library-etl/dist/job.js` against real databases.
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@wxyc/local-postgres';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED, useLegacyDatabase } from '../../support/mysql.js';
import { ensureJobBuilt, runJobProcess } from '../../support/legacy/job-dist.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED]);
let job = '';
const cronRow = async () =>
  (await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'library-etl'`)[0];

beforeAll(() => {
  job = ensureJobBuilt('jobs/library-etl', '@wxyc/job-library-etl');
}, 180_000);

describe('library-etl dist: configuration', () => {
  it('missing LEGACY_DATABASE_URL: one line naming it, exit 2', async () => {
    const r = await runJobProcess(job, [], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      '[library-etl] error: LEGACY_DATABASE_URL is not set: it must be a mysql:// URL of the legacy database.',
    ]);
  });
});

describe.skipIf(!server)('library-etl dist against MariaDB and PostgreSQL', () => {
  it('unreachable MySQL: exit 3, one line with the password masked, nothing written', async () => {
    const port = await freePort();
    const r = await runJobProcess(job, [], {
      DATABASE_URL: db.url,
      LEGACY_DATABASE_URL: `mysql://root:secret@127.0.0.1:${port}/legacy`,
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(
        `[library-etl] error: legacy MySQL at mysql://root:***@127.0.0.1:${port}/legacy is unreachable`,
      ),
    ]);
    expect(await cronRow()).toBeUndefined();
  });

  it('imports the seed: exit 0, the summary line and the rows', async () => {
    const r = await runJobProcess(job, [], { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url });
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
