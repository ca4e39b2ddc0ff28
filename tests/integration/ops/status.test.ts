// ops:status against a real database, in every state it reports: migrations applied,
// pending and drifted; cron runs ok, running, stuck, stale, never finished, failed, never run;
// backfills running (with ETA), stuck, failed, done; ACCESS EXCLUSIVE holders and their
// waiters; idle and long transactions on wxyc_schema. And the CLI's exit codes.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres, { type Sql } from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureStateTable } from '@wxyc/backfill';
import { MIGRATIONS_DIR } from '@wxyc/database';
import { collectStatus, type JobSpec, type StatusThresholds } from '@wxyc/ops';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();
const run = promisify(execFile);
const entry = fileURLToPath(new URL('../../../dev_env/ops-status.mjs', import.meta.url));
const cronJob = (name: string, schedule = '*/30 * * * *'): JobSpec => ({
  name,
  type: 'cron',
  schedule,
  dir: `jobs/${name}`,
});
const T: StatusThresholds = { idleInTransactionS: 1, longTransactionS: 1, backfillStuckS: 600 };
const clients: Sql[] = [];
afterAll(async () => Promise.all(clients.map((c) => c.end({ timeout: 1 }))));

/** A session of its own, kept open: a run row naming it is alive while it lives. */
async function liveSession() {
  const c = postgres(db.url, { max: 1, onnotice: () => {} });
  clients.push(c);
  // backend_start as text, bound as text: a JS Date (postgres-js binds a timestamptz parameter through one) drops the microseconds.
  const [s] = await c<
    { pid: number; start: string }[]
  >`SELECT pid, backend_start::text AS start FROM pg_stat_activity WHERE pid = pg_backend_pid()`;
  return { client: c, ...s! };
}

async function addRun(
  job: string,
  r: { ago: string; finished?: boolean; outcome?: string; exit?: number; pid?: number; start?: string },
) {
  await db.sql`
    INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, heartbeat_at, finished_at, outcome, exit_code, host, backend_pid, backend_start)
    VALUES (${job}, 'cron', now() - ${r.ago}::interval, now(), ${r.finished === false ? null : db.sql`now()`}, ${r.outcome ?? null},
            ${r.exit ?? null}, 'host-a', ${r.pid ?? null}, ${r.start ?? null}::text::timestamptz)`;
}

describe('ops status', () => {
  it('all clear: every migration applied, a fresh ok run, nothing held', async () => {
    await addRun('clear', { ago: '5 minutes', outcome: 'ok', exit: 0 });
    const s = await collectStatus(db.sql, [cronJob('clear')], MIGRATIONS_DIR, T);
    expect(s.migrations).toMatchObject({ pending: [], drifted: [] });
    expect(s.migrations.applied).toBeGreaterThan(50);
    expect(s.cron).toMatchObject([
      { job: 'clear', verdict: 'ok', intervalS: 1800, last: { outcome: 'ok', host: 'host-a', state: 'finished' } },
    ]);
    expect(s.problems).toEqual([]);
  });

  it('cron verdicts: running, stuck, stale, never finished, failed, never run', async () => {
    const alive = await liveSession();
    const gone = await liveSession();
    await gone.client.end();
    await addRun('running', { ago: '10 minutes', finished: false, pid: alive.pid, start: alive.start });
    await addRun('stuck', { ago: '2 hours', finished: false, pid: alive.pid, start: alive.start });
    await addRun('stale', { ago: '3 hours', outcome: 'ok', exit: 0 });
    await addRun('stale', { ago: '4 hours', outcome: 'ok', exit: 0 });
    await addRun('killed', { ago: '10 minutes', finished: false, pid: gone.pid, start: gone.start });
    await addRun('failed', { ago: '10 minutes', outcome: 'failed', exit: 3 });
    // a pid that is alive but is another session (backend_start differs): not taken for the run's
    await addRun('reused', { ago: '10 minutes', finished: false, pid: alive.pid, start: '2000-01-01 00:00:00+00' });
    const jobs = ['running', 'stuck', 'stale', 'killed', 'failed', 'reused', 'never'].map((n) => cronJob(n));
    const s = await collectStatus(db.sql, jobs, MIGRATIONS_DIR, T);
    expect(Object.fromEntries(s.cron.map((c) => [c.job, c.verdict]))).toEqual({
      running: 'running',
      stuck: 'stuck',
      stale: 'stale',
      killed: 'stale',
      failed: 'failed',
      reused: 'stale',
      never: 'never-run',
    });
    expect(s.cron.find((c) => c.job === 'stale')!.reason).toBe('last run 3h00m ago, over twice its schedule (30m)');
    expect(s.problems).toEqual(
      expect.arrayContaining([
        'cron stuck stuck: running for 2h00m, over twice its schedule',
        'cron killed stale: last run started but never finished (process gone)',
        'cron failed failed: last run failed with exit code 3',
        'cron never never-run: no run recorded',
      ]),
    );
    expect(s.problems.some((p) => p.startsWith('cron running'))).toBe(false);
  });

  it('a daily job is not stale after 30 hours, and is after 49', async () => {
    await addRun('daily-ok', { ago: '30 hours', outcome: 'ok', exit: 0 });
    await addRun('daily-old', { ago: '49 hours', outcome: 'ok', exit: 0 });
    const s = await collectStatus(
      db.sql,
      [cronJob('daily-ok', '0 3 * * *'), cronJob('daily-old', '0 3 * * *')],
      MIGRATIONS_DIR,
      T,
    );
    expect(s.cron.map((c) => [c.job, c.verdict])).toEqual([
      ['daily-ok', 'ok'],
      ['daily-old', 'stale'],
    ]);
  });

  it('one-shot and migrate runs that never finished are problems too', async () => {
    const gone = await liveSession();
    await gone.client.end();
    await db.sql`INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, host, backend_pid, backend_start)
                 VALUES ('a-backfill', 'one-shot', now() - interval '1 hour', 'host-b', ${gone.pid}, ${gone.start}::text::timestamptz)`;
    const s = await collectStatus(db.sql, [], MIGRATIONS_DIR, T);
    expect(s.otherRuns.find((r) => r.job === 'a-backfill')).toMatchObject({ state: 'never-finished', host: 'host-b' });
    expect(s.problems).toContainEqual(
      expect.stringMatching(/^a-backfill run \d+ \(host host-b\) started 1h00m ago and never finished$/),
    );
  });

  it('backfills: running with an ETA, stuck, failed, done', async () => {
    await ensureStateTable(db.sql);
    const add = (
      name: string,
      status: string,
      done: number,
      pending: number,
      started: string,
      updated: string,
    ) => db.sql`
      INSERT INTO backfill.runs (name, status, cursor, rows_processed, batch_size, pending_at_start, started_at, updated_at, skipped, parked)
      VALUES (${name}, ${status}, ${done * 10}, ${done}, 1000, ${pending}, now() - ${started}::interval, now() - ${updated}::interval, '{5}',
              '[{"key": 7}, {"key": 9}]'::jsonb)`;
    await add('going', 'running', 1000, 3000, '10 minutes', '0 minutes');
    await add('wedged', 'running', 500, 3000, '2 hours', '30 minutes');
    await add('broken', 'failed', 10, 3000, '1 hour', '50 minutes');
    await add('finished', 'done', 3000, 3000, '1 day', '20 hours');
    const s = await collectStatus(db.sql, [], MIGRATIONS_DIR, T);
    const going = s.backfills.find((b) => b.name === 'going')!;
    expect(going).toMatchObject({ status: 'running', cursor: 10_000, rowsDone: 1000, parked: 2, stuck: false });
    expect(going.etaS).toBeGreaterThan(1150);
    expect(going.etaS).toBeLessThan(1250); // 2000 rows to go at 1000 per 10 min
    expect(s.backfills.find((b) => b.name === 'wedged')!.stuck).toBe(true);
    expect(s.backfills.find((b) => b.name === 'finished')).toMatchObject({ etaS: null, stuck: false });
    expect(s.problems).toEqual(
      expect.arrayContaining([
        'backfill wedged stuck: running, last batch 30m ago',
        'backfill broken failed at cursor 100',
      ]),
    );
    expect(s.problems.some((p) => /backfill (going|finished)/.test(p))).toBe(false);
  });

  it('an ACCESS EXCLUSIVE holder with its waiter, an idle transaction and a long one', async () => {
    const holder = await liveSession();
    const waiter = await liveSession();
    const idle = await liveSession();
    const long = await liveSession();
    const h = await holder.client.reserve();
    await h`BEGIN`;
    await h`LOCK TABLE wxyc_schema.genres IN ACCESS EXCLUSIVE MODE`;
    const i = await idle.client.reserve();
    await i`BEGIN`;
    await i`SELECT count(*) FROM wxyc_schema.rotation`;
    const waiting = waiter.client`SELECT count(*) FROM wxyc_schema.genres`.catch(() => {});
    const running = long.client`SELECT count(*) FROM wxyc_schema.shows, pg_sleep(3)`.catch(() => {});
    await new Promise((r) => setTimeout(r, 1500));
    const s = await collectStatus(db.sql, [], MIGRATIONS_DIR, T);
    expect(s.sessions.accessExclusive).toMatchObject([
      { pid: holder.pid, relation: 'wxyc_schema.genres', waiters: [{ pid: waiter.pid }] },
    ]);
    // the holder sits idle in its transaction too
    expect(s.sessions.idleInTransaction.map((x) => x.pid).sort()).toEqual([holder.pid, idle.pid].sort());
    // the waiter's transaction has been running (waiting) for over the 1 s threshold as well
    expect(s.sessions.longTransactions.map((x) => x.pid).sort()).toEqual([long.pid, waiter.pid].sort());
    expect(s.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^pid ${holder.pid} \\('postgres.js'\\) holds ACCESS EXCLUSIVE on wxyc_schema.genres for \\d+s with 1 waiting$`,
          ),
        ),
        expect.stringMatching(new RegExp(`^pid ${idle.pid} .* idle in transaction on wxyc_schema`)),
        expect.stringMatching(new RegExp(`^pid ${long.pid} .* running for \\d+s$`)),
      ]),
    );
    await h`ROLLBACK`;
    h.release();
    await i`ROLLBACK`;
    i.release();
    await Promise.all([waiting, running]);
    const after = await collectStatus(db.sql, [], MIGRATIONS_DIR, T);
    expect(after.sessions).toEqual({ accessExclusive: [], idleInTransaction: [], longTransactions: [] });
  });

  it('pending and drifted migrations', async () => {
    const [last] = await db.sql<
      { id: number; hash: string; created_at: string }[]
    >`SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id DESC LIMIT 1`;
    const [first] = await db.sql<
      { id: number; hash: string }[]
    >`SELECT id, hash FROM drizzle.__drizzle_migrations ORDER BY id LIMIT 1`;
    await db.sql`DELETE FROM drizzle.__drizzle_migrations WHERE id = ${last!.id}`;
    await db.sql`UPDATE drizzle.__drizzle_migrations SET hash = 'edited' WHERE id = ${first!.id}`;
    try {
      const s = await collectStatus(db.sql, [], MIGRATIONS_DIR, T);
      expect(s.migrations.pending).toHaveLength(1);
      expect(s.migrations.drifted).toEqual(['0000_auth_tables']);
      expect(s.problems).toEqual(
        expect.arrayContaining([
          `migrations pending (1): ${s.migrations.pending[0]}`,
          'migrations drifted (file changed after it was applied): 0000_auth_tables',
        ]),
      );
    } finally {
      await db.sql`UPDATE drizzle.__drizzle_migrations SET hash = ${first!.hash} WHERE id = ${first!.id}`;
      await db.sql`INSERT INTO drizzle.__drizzle_migrations (id, hash, created_at) VALUES (${last!.id}, ${last!.hash}, ${last!.created_at})`;
    }
  });
});

describe('pnpm ops:status (the process)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ops-jobs-'));
  const job = (dir: string, pkg: object) => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'package.json'), JSON.stringify(pkg));
  };
  job('jobs/tick-a', { name: 'x', 'job-type': 'cron', 'cron-schedule': '*/5 * * * *' });
  job('jobs/backfills/once', { name: 'y', 'job-type': 'one-shot' });
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [entry, ...args], {
      env: { PATH: process.env.PATH, DATABASE_URL: db.url, OPS_JOBS_DIR: root, ...env },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('--check exits 1 while a cron job has no run, 0 once it has a fresh one; --json carries the same', async () => {
    await db.sql`DELETE FROM wxyc_schema.job_runs`;
    await db.sql`DELETE FROM backfill.runs`.catch(() => {});
    const bad = await cli(['--check']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('cron tick-a never-run: no run recorded');
    expect((await cli([])).code).toBe(0); // without --check, problems are shown, not an exit code
    await addRun('tick-a', { ago: '1 minute', outcome: 'ok', exit: 0 });
    const good = await cli(['--check', '--json']);
    expect(good.code, good.stdout + good.stderr + (await cli([])).stdout).toBe(0);
    const json = JSON.parse(good.stdout);
    expect(json.problems).toEqual([]);
    expect(json.cron[0]).toMatchObject({ job: 'tick-a', verdict: 'ok', schedule: '*/5 * * * *', intervalS: 300 });
  });

  it('bad input: one line and exit 2; an unreachable server: one line without the password and exit 3', async () => {
    const arg = await cli(['--wat']);
    expect([arg.code, arg.stderr.trim()]).toEqual([
      2,
      '[ops-status] error: unknown argument "--wat"; usage: pnpm ops:status [--json] [--check] (--help for details)',
    ]);
    const down = await cli([], { DATABASE_URL: 'postgres://ops:s3cret@127.0.0.1:1/wxyc', DB_CONNECT_TIMEOUT_S: '2' });
    expect(down.code).toBe(3);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toContain('postgres://ops:***@127.0.0.1:1/wxyc is unreachable');
    expect(down.stderr).not.toContain('s3cret');
    job('jobs/broken', { 'job-type': 'cron' });
    const cfg = await cli([]);
    expect([cfg.code, cfg.stderr.trim()]).toEqual([
      2,
      `[ops-status] error: jobs/broken/package.json: job-type cron needs a "cron-schedule" of five cron fields (got null).`,
    ]);
  });
});
