// The checks every MySQL-only mirror ETL's dist shares (library-etl, rotation-etl): the job built
// and run as its container runs it; a missing LEGACY_DATABASE_URL is one line and exit 2; an
// unreachable MySQL is exit 3 with the password masked and nothing written. Each job's test file
// adds what its seed must import.
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@wxyc/local-postgres';
import { useTestDatabase } from '../test-database.js';
import { findMysqlServer, useLegacyDatabase } from '../mysql.js';
import { ensureJobBuilt, runJobProcess } from './job-dist.js';

export async function mirrorEtlDist(job: string, legacyFiles: string[]) {
  const server = await findMysqlServer();
  const db = useTestDatabase();
  const legacy = useLegacyDatabase(server, legacyFiles);
  let entry = '';
  const cronRow = async () =>
    (await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = ${job}`)[0];

  beforeAll(() => {
    entry = ensureJobBuilt(`jobs/${job}`, `@wxyc/job-${job}`);
  }, 180_000);

  describe(`${job} dist: configuration`, () => {
    it('missing LEGACY_DATABASE_URL: one line naming it, exit 2', async () => {
      const r = await runJobProcess(entry, [], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `[${job}] error: LEGACY_DATABASE_URL is not set: it must be a mysql:// URL of the legacy database.`,
      ]);
    });
  });

  describe.skipIf(!server)(`${job} dist: unreachable MySQL`, () => {
    it('exit 3, one line with the password masked, nothing written', async () => {
      const port = await freePort();
      const r = await runJobProcess(entry, [], {
        DATABASE_URL: db.url,
        LEGACY_DATABASE_URL: `mysql://root:secret@127.0.0.1:${port}/legacy`,
      });
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringContaining(
          `[${job}] error: legacy MySQL at mysql://root:***@127.0.0.1:${port}/legacy is unreachable`,
        ),
      ]);
      expect(await cronRow()).toBeUndefined();
    });
  });

  /** Runs the built job once against the file's databases. */
  const run = () => runJobProcess(entry, [], { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url });
  return { server, db, cronRow, run };
}
