// Run history written by real job processes into a migrated database: every outcome, the
// counts, SIGKILL recognised as "started, never finished", retention, and history failures
// that leave the job's own outcome alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { latestRuns } from '@wxyc/database';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();
const fixture = fileURLToPath(new URL('../../support/history-job.mjs', import.meta.url));

interface Done {
  code: number | null;
  out: string;
  err: string;
}

function start(mode: string, env: Record<string, string>): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(process.execPath, [fixture, mode], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, JOB_HOST: 'host-a', IMAGE_VERSION: 'sha-abc123', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<Done>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
  return { child, done };
}

const run = (mode: string, env: Record<string, string> = {}) => start(mode, env).done;
const jobName = () => `job-${randomBytes(3).toString('hex')}`;
const rowsOf = (job: string) => db.sql`SELECT * FROM wxyc_schema.job_runs WHERE job_name = ${job} ORDER BY id`;

describe('run history', () => {
  it('records an ok run: start, end, host, image version, counts, and nothing on stderr', async () => {
    const job = jobName();
    const r = await run('ok', { HISTORY_JOB: job });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const [row] = await rowsOf(job);
    expect(row).toMatchObject({
      kind: 'cron',
      outcome: 'ok',
      exit_code: 0,
      host: 'host-a',
      image_version: 'sha-abc123',
      rows_read: '4',
      rows_written: '2',
      rows_skipped: '1',
      error: null,
    });
    expect(row!.finished_at.getTime()).toBeGreaterThanOrEqual(row!.started_at.getTime());
  });

  it('records skipped, interrupted and failed runs with their exit codes; the error line has no password', async () => {
    const job = jobName();
    expect((await run('skip', { HISTORY_JOB: job })).code).toBe(0);
    expect((await run('interrupt', { HISTORY_JOB: job })).code).toBe(130);
    const failed = await run('fail', { HISTORY_JOB: job, HISTORY_KIND: 'one-shot' });
    expect(failed.code).toBe(11);
    const rows = await rowsOf(job);
    expect(rows.map((r) => [r.outcome, r.exit_code])).toEqual([
      ['skipped', 0],
      ['interrupted', 130],
      ['failed', 11],
    ]);
    expect(rows[0]!.rows_read).toBeNull();
    expect(rows[2]!.kind).toBe('one-shot');
    expect(rows[2]!.error).toContain('source postgres://etl:***@db.example:5432/wxyc');
    expect(JSON.stringify(rows)).not.toContain('hunter2');
    const [latest] = (await latestRuns(db.sql)).filter((l) => l.job === job);
    expect(latest).toMatchObject({ state: 'finished', outcome: 'failed', exitCode: 11 });
  });

  it('a SIGKILLed run shows as running while it lives and as never-finished once its process is gone', async () => {
    const job = jobName();
    const p = start('hang', { HISTORY_JOB: job });
    await expect
      .poll(async () => (await latestRuns(db.sql)).find((l) => l.job === job)?.state, { timeout: 15_000 })
      .toBe('running');
    p.child.kill('SIGKILL');
    await p.done;
    await expect
      .poll(async () => (await latestRuns(db.sql)).find((l) => l.job === job)?.state, { timeout: 15_000 })
      .toBe('never-finished');
    const [row] = await rowsOf(job);
    expect(row!.finished_at).toBeNull();
    expect(row!.outcome).toBeNull();
  });

  it('a heartbeat keeps the row fresh', async () => {
    const job = jobName();
    const p = start('hang', { HISTORY_JOB: job, RUN_HISTORY_HEARTBEAT_S: '1' });
    await expect.poll(async () => (await rowsOf(job)).length, { timeout: 15_000 }).toBe(1);
    const [first] = await rowsOf(job);
    await expect
      .poll(async () => (await rowsOf(job))[0]!.heartbeat_at.getTime(), { timeout: 10_000 })
      .toBeGreaterThan(first!.heartbeat_at.getTime());
    p.child.kill('SIGKILL');
    await p.done;
  });

  it("prunes this job's runs older than the retention, and only this job's", async () => {
    const job = jobName();
    const other = jobName();
    for (const j of [job, other]) {
      await db.sql`INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, host) VALUES (${j}, 'cron', now() - interval '40 days', 'old')`;
    }
    await db.sql`INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, host) VALUES (${job}, 'cron', now() - interval '10 days', 'recent')`;
    expect((await run('ok', { HISTORY_JOB: job, RUN_HISTORY_RETENTION_DAYS: '30' })).code).toBe(0);
    expect((await rowsOf(job)).map((r) => r.host)).toEqual(['recent', 'host-a']);
    expect((await rowsOf(other)).map((r) => r.host)).toEqual(['old']);
  });

  it('a history that cannot be written is one warning line; the job runs and keeps its exit code', async () => {
    const role = `nohistory_${randomBytes(3).toString('hex')}`;
    await db.sql.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD 'nohistory'; GRANT USAGE ON SCHEMA wxyc_schema TO ${role}`);
    const u = new URL(db.url);
    u.username = role;
    u.password = 'nohistory';
    const job = jobName();
    const ok = await run('ok', { HISTORY_JOB: job, DATABASE_URL: u.toString() });
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('did the work');
    expect(ok.err.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^\[.+\] warning: run history: recording the start failed \(permission denied for table job_runs\); the job's outcome is unaffected$/,
      ),
    ]);
    const failed = await run('fail', { HISTORY_JOB: job, DATABASE_URL: u.toString() });
    expect(failed.code).toBe(11);
    expect(await rowsOf(job)).toEqual([]);
  });

  it('a table locked by someone else delays the job by the lock timeout at most, and the outcome is still recorded at the end', async () => {
    const job = jobName();
    const locker = postgres(db.url, { max: 1, onnotice: () => {} });
    const reserved = await locker.reserve();
    await reserved`BEGIN`;
    await reserved`LOCK TABLE wxyc_schema.job_runs IN ACCESS EXCLUSIVE MODE`;
    const p = start('ok', { HISTORY_JOB: job });
    // Ordered by events, not a timer: the lock goes once the job has said its start write gave up.
    await new Promise<void>((resolve) => {
      const seen = (d: Buffer) => {
        if (!/recording the start failed/.test(d.toString())) return;
        p.child.stderr!.off('data', seen);
        resolve();
      };
      p.child.stderr!.on('data', seen);
    });
    await reserved`ROLLBACK`;
    reserved.release();
    const r = await p.done;
    await locker.end();
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/run history: recording the start failed \(canceling statement due to lock timeout\)/);
    expect((await rowsOf(job)).map((x) => x.outcome)).toEqual(['ok']);
  });

  it('no DATABASE_URL: history stays silent and the job runs', async () => {
    const r = await run('ok', { DATABASE_URL: '' });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});

describe('run history on a database before migration 0058', () => {
  const old = useTestDatabase('empty');
  it('records nothing and says nothing', async () => {
    const r = await start('ok', { DATABASE_URL: old.url }).done;
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});
