// Run times come from the database server, not from the host that ran the job: a real job
// process whose clock is a year ahead records a run that must not hide a later failure from
// a host with a good clock, and ops:status (--check too) names the host whose clock is off.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@wxyc/database';
import { collectStatus, type JobSpec } from '@wxyc/ops';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();
const fixture = fileURLToPath(new URL('../../support/history-job.mjs', import.meta.url));
const entry = fileURLToPath(new URL('../../../dev_env/ops-status.mjs', import.meta.url));
const YEAR_S = 365 * 24 * 3600;

function job(mode: 'ok' | 'fail', host: string, offsetS: number): Promise<number | null> {
  const child = spawn(process.execPath, [fixture, mode], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      HISTORY_JOB: 'tick-clock',
      JOB_HOST: host,
      FAKE_CLOCK_OFFSET_S: String(offsetS),
    },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.on('close', resolve));
}

describe('a host with a wrong clock', () => {
  const spec: JobSpec = { name: 'tick-clock', type: 'cron', schedule: '*/30 * * * *', dir: 'jobs/tick-clock' };

  it('a run from a host a year ahead does not hide a later failure; the host is flagged', async () => {
    expect(await job('ok', 'ahead-host', YEAR_S)).toBe(0);
    expect(await job('fail', 'good-host', 0)).toBe(11);
    const rows = await db.sql<{ host: string; skew: number }[]>`
      SELECT host, extract(epoch FROM started_at - now())::int AS skew FROM wxyc_schema.job_runs WHERE job_name = 'tick-clock' ORDER BY id`;
    // both rows carry the server's time, whatever the host's clock said
    expect(rows.map((r) => [r.host, Math.abs(r.skew) < 600])).toEqual([
      ['ahead-host', true],
      ['good-host', true],
    ]);
    const s = await collectStatus(db.sql, [spec], MIGRATIONS_DIR);
    expect(s.cron[0]).toMatchObject({ verdict: 'failed', last: { host: 'good-host', outcome: 'failed' } });
    expect(s.problems).toContainEqual(
      expect.stringMatching(/^host ahead-host: its clock is 36[45]d\d\dh ahead of the database server's/),
    );
    expect(s.problems.some((p) => p.includes('good-host:'))).toBe(false);
  });

  it('--check exits 1 and names the host; a host two hours behind is flagged too', async () => {
    expect(await job('ok', 'behind-host', -7200)).toBe(0);
    const root = mkdtempSync(join(tmpdir(), 'ops-clock-'));
    mkdirSync(join(root, 'jobs/tick-clock'), { recursive: true });
    writeFileSync(
      join(root, 'jobs/tick-clock/package.json'),
      JSON.stringify({ 'job-type': 'cron', 'cron-schedule': '*/30 * * * *' }),
    );
    const r = await promisify(execFile)(process.execPath, [entry, '--check'], {
      env: { PATH: process.env.PATH, DATABASE_URL: db.url, OPS_JOBS_DIR: root },
    }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/host ahead-host: its clock is 36[45]d\d\dh ahead of the database server's/);
    expect(r.stdout).toMatch(/host behind-host: its clock is 2h00m behind the database server's/);
  });
});
