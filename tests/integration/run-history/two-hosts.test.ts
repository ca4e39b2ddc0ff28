// The advisory tick lock lives in PostgreSQL, so it excludes ticks across hosts (or
// Kubernetes nodes) as well as on one: two processes with different host names, the real
// rotation-etl bundle. Tick A holds the lock while its legacy MySQL (a TCP peer that accepts
// and never answers) keeps it waiting; tick B on another host skips, and history says so.
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestRuns } from '@wxyc/database';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_ROTATION_DDL, LEGACY_ROTATION_SEED, useLegacyDatabase } from '../../support/mysql.js';
import { startJob } from '../../support/legacy/job-dist.js';

// Built by the harness's global setup (build-if-stale); rotation-etl/job-dist.test.ts owns its build.
const job = fileURLToPath(new URL('../../../jobs/rotation-etl/dist/job.js', import.meta.url));
const db = useTestDatabase();
const mysql = await findMysqlServer();
const legacy = useLegacyDatabase(mysql, [LEGACY_ROTATION_DDL, LEGACY_ROTATION_SEED]);
const sockets: Socket[] = [];
let silent: Server;
let silentPort = 0;

beforeAll(async () => {
  silent = createServer((s) => sockets.push(s)); // accepts, never sends the MySQL greeting
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

const runs = () =>
  db.sql`SELECT host, outcome, exit_code, finished_at, rows_read, rows_written, rows_skipped FROM wxyc_schema.job_runs WHERE job_name = 'rotation-etl' ORDER BY id`;

describe('ticks on two hosts', () => {
  it('exclude each other through the advisory tick lock; a SIGKILLed tick frees it and shows as never finished', async () => {
    const a = startJob(job, [], {
      DATABASE_URL: db.url,
      LEGACY_DATABASE_URL: `mysql://root@127.0.0.1:${silentPort}/legacy`,
      JOB_HOST: 'host-a',
    });
    // A holds the tick lock once it is waiting on the silent MySQL.
    await expect.poll(() => sockets.length, { timeout: 15_000 }).toBe(1);
    const b = await startJob(job, [], {
      DATABASE_URL: db.url,
      LEGACY_DATABASE_URL: `mysql://root@127.0.0.1:${silentPort}/legacy`,
      JOB_HOST: 'host-b',
    }).done;
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/previous tick still running \(pid \d+ since .*\); skipping\./);
    expect(sockets).toHaveLength(1); // B never reached MySQL
    expect((await runs()).map((r) => [r.host, r.outcome])).toEqual([
      ['host-a', null],
      ['host-b', 'skipped'],
    ]);

    a.kill('SIGKILL');
    await a.done;
    await expect
      .poll(
        async () =>
          (
            await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.job_runs r
      WHERE r.host = 'host-a' AND r.finished_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity s WHERE s.pid = r.backend_pid AND s.backend_start = r.backend_start)`
          )[0]!.n,
        { timeout: 15_000 },
      )
      .toBe(1);
  });

  it.skipIf(!mysql && !process.env.CI)('with the lock free, host B ticks and its counts are recorded', async () => {
    const r = await startJob(job, [], { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url, JOB_HOST: 'host-b' })
      .done;
    expect(r.code, r.stderr).toBe(0);
    expect((await runs()).at(-1)).toMatchObject({
      host: 'host-b',
      outcome: 'ok',
      exit_code: 0,
      rows_read: '5',
      rows_written: '4',
      rows_skipped: '1',
    });
    const [latest] = (await latestRuns(db.sql)).filter((l) => l.job === 'rotation-etl');
    expect(latest).toMatchObject({ state: 'finished', outcome: 'ok', host: 'host-b' });
  });
});
