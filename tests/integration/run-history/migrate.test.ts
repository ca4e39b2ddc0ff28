// The migrate runner records its apply runs too (node dev_env/init-db.mjs, the migrate image's
// entrypoint): on a new database the table appears during the run and the row is written at
// its end; --status writes nothing; a failed migration is a failed run with the runner's code.
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@wxyc/database';
import { migrationsDir, spawnRunner, useScratch } from '../../support/migrate-runner.js';

const scratch = useScratch();
const migrateRuns = async (sql: import('postgres').Sql) =>
  sql`SELECT kind, outcome, exit_code, host, finished_at IS NOT NULL AS finished FROM wxyc_schema.job_runs WHERE job_name = 'migrate' ORDER BY id`;

describe('migrate runs in the run history', () => {
  it('a new database: recorded once the run has created the table; --status adds nothing', async () => {
    const db = await scratch.database('empty');
    const first = spawnRunner(db.url, { dir: MIGRATIONS_DIR, env: { JOB_HOST: 'deploy-host' } });
    expect((await first.exited).code, first.output()).toBe(0);
    expect(first.output()).not.toContain('run history');
    expect(await migrateRuns(db.sql)).toEqual([
      { kind: 'migrate', outcome: 'ok', exit_code: 0, host: 'deploy-host', finished: true },
    ]);
    const status = spawnRunner(db.url, { dir: MIGRATIONS_DIR, args: ['--status'] });
    expect((await status.exited).code).toBe(0);
    const again = spawnRunner(db.url, { dir: MIGRATIONS_DIR });
    expect((await again.exited).code).toBe(0);
    expect((await migrateRuns(db.sql)).map((r) => r.outcome)).toEqual(['ok', 'ok']);
  });

  it('a failed migration is a failed run with exit code 11', async () => {
    const db = await scratch.database('head');
    const dir = migrationsDir([{ tag: '0000_boom', sql: 'SELECT 1/0;' }]);
    const r = spawnRunner(db.url, { dir });
    expect((await r.exited).code).toBe(11);
    expect(await migrateRuns(db.sql)).toEqual([
      { kind: 'migrate', outcome: 'failed', exit_code: 11, host: expect.any(String), finished: true },
    ]);
    const [row] = await db.sql`SELECT error FROM wxyc_schema.job_runs WHERE job_name = 'migrate'`;
    expect(row!.error).toMatch(/division by zero/);
  });
});
