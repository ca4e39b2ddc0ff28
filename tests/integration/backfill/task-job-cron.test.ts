// runTaskJob as a cron job, the built frame in a real child process (tests/support/task-cron-job.ts)
// on real PostgreSQL: the tick lock, per-tick budgets, DRY_RUN, run history, SIGTERM mid-tick.
// Order comes from events: a tick is held inside its resolve by a lock the test's own session holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReservedSql } from 'postgres';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadState } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';

const JOB = fileURLToPath(new URL('../../support/task-cron-job.ts', import.meta.url));
const db = useTestDatabase('head');

interface Tick {
  child: ChildProcess;
  out: string[];
  exited: boolean;
  exit: Promise<number | null>;
  waitFor(re: RegExp, n?: number): Promise<void>;
}

function tick(env: Record<string, string> = {}, args: string[] = []): Tick {
  const child = spawn(process.execPath, ['--import', 'tsx', JOB, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, BACKFILL_BATCH_SIZE: '20', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const waiters: (() => void)[] = [];
  const collect = (c: Buffer) => {
    out.push(...c.toString().split('\n').filter(Boolean));
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const t: Tick = {
    child,
    out,
    exited: false,
    exit: new Promise((resolve) =>
      child.on('exit', (code) => {
        t.exited = true;
        resolve(code);
      }),
    ),
    waitFor: (re, n = 1) =>
      new Promise((resolve, reject) => {
        const check = () => out.filter((l) => re.test(l)).length >= n && resolve();
        waiters.push(check);
        void t.exit.then(() => reject(new Error(`tick exited before ${n} lines matching ${re}:\n${out.join('\n')}`)));
        check();
      }),
  };
  return t;
}

const run = async (env: Record<string, string> = {}, args: string[] = []) => {
  const t = tick(env, args);
  return { code: await t.exit, out: t.out };
};

/** The test's own session holding cron_gate: a tick with CRON_GATE=1 waits inside its resolve until release. */
async function holdGate(): Promise<{ release(): Promise<void> }> {
  const s: ReservedSql = await db.sql.reserve();
  await s`BEGIN`;
  await s`LOCK TABLE cron_gate IN ACCESS EXCLUSIVE MODE`;
  return {
    async release() {
      await s`COMMIT`;
      s.release();
    },
  };
}

/** Another session holding the tick lock of cron-items (the backfill session lock of its task). */
async function holdTickLock(): Promise<{ pid: number; release(): Promise<void> }> {
  const s: ReservedSql = await db.sql.reserve();
  await s`SET application_name = 'lock-holder'`;
  const [r] = await s<
    { pid: number }[]
  >`SELECT pg_backend_pid() AS pid, pg_advisory_lock(hashtext('backfill:cron-items'))`;
  return {
    pid: r!.pid,
    async release() {
      await s`SELECT pg_advisory_unlock(hashtext('backfill:cron-items'))`;
      await s`RESET application_name`;
      s.release();
    },
  };
}

const ROWS = 100;
/** Rows by where they stand: resolved (note), stamped only (no match), untouched. */
const standing = async () =>
  (
    await db.sql<{ resolved: number; stamped: number; untouched: number }[]>`
      SELECT count(*) FILTER (WHERE note IS NOT NULL)::int AS resolved,
             count(*) FILTER (WHERE note IS NULL AND tried_at IS NOT NULL)::int AS stamped,
             count(*) FILTER (WHERE note IS NULL AND tried_at IS NULL)::int AS untouched
      FROM cron_items`
  )[0]!;
const runs = () =>
  db.sql<
    {
      outcome: string;
      exit_code: number;
      kind: string;
      rows_read: number;
      rows_written: number;
      rows_skipped: number;
    }[]
  >`
    SELECT outcome, exit_code, kind, rows_read::int, rows_written::int, rows_skipped::int
    FROM wxyc_schema.job_runs WHERE job_name = 'cron-fixture' ORDER BY id`;

beforeEach(async () => {
  await db.sql.unsafe(`
    DROP TABLE IF EXISTS cron_items, cron_gate;
    CREATE TABLE cron_items (id int PRIMARY KEY, n int NOT NULL, note text, tried_at timestamptz);
    CREATE INDEX cron_items_pending ON cron_items (id) WHERE note IS NULL;
    CREATE TABLE cron_gate (x int);
    INSERT INTO cron_items (id, n) SELECT g, g FROM generate_series(1, ${ROWS}) g;
    DELETE FROM wxyc_schema.job_runs WHERE job_name = 'cron-fixture';
    DO $$ BEGIN IF to_regclass('backfill.runs') IS NOT NULL THEN DELETE FROM backfill.runs WHERE name = 'cron-items'; END IF; END $$`);
});

describe('runTaskJob as a cron job (a real child process)', () => {
  it('a second tick while the first holds the tick lock exits 0 saying it skipped; run history says skipped', async () => {
    const gate = await holdGate();
    const first = tick({ CRON_GATE: '1' });
    try {
      await first.waitFor(/resolving 20 rows from id 1\b/);
      const second = await run();
      expect(second.code).toBe(0);
      expect(second.out.join('\n')).toMatch(
        /cron-items: previous tick still running \(pid \d+, application_name 'cron-fixture', client [^,]+, state [a-z ]+ for \d+ s\); skipping\./,
      );
      expect(first.exited).toBe(false); // still held at the gate: the skip happened while it held the lock
    } finally {
      await gate.release();
    }
    expect(await first.exit).toBe(0);
    expect(await standing()).toEqual({ resolved: 80, stamped: 10, untouched: 10 });
    expect((await runs()).map((r) => r.outcome).sort()).toEqual(['skipped', 'ok'].sort());
  });

  it('a tick finding the tick lock held skips at once: one line naming the holder, exit 0, nothing touched', async () => {
    const holder = await holdTickLock();
    try {
      const r = await run();
      expect(r.code).toBe(0);
      const lines = r.out.filter((l) => /previous tick still running/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`(pid ${holder.pid}, application_name 'lock-holder'`);
      expect(r.out.join('\n')).not.toMatch(/another run of cron-items is in progress/);
    } finally {
      await holder.release();
    }
    expect(await standing()).toEqual({ resolved: 0, stamped: 0, untouched: ROWS });
    expect((await runs()).map((x) => [x.outcome, x.exit_code])).toEqual([['skipped', 0]]);
  });

  it('a tick tries the tick lock once, no wait: released right after that try, the tick has still skipped', async () => {
    const holder = await holdTickLock();
    const t = tick({ DB_APPLICATION_NAME: 'cron-fixture-once' }); // its own name: no other backend matches below
    let released = false;
    try {
      // the event: the tick's batch session has had its answer (idle after its try, or asking who holds the lock);
      // a try still running would not have been answered yet
      while (!t.exited) {
        const [asked] = await db.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'cron-fixture-once'
            AND ((query LIKE '%pg_try_advisory_lock%' AND state = 'idle') OR query LIKE '%FROM pg_locks l%')`;
        if (asked!.n > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await holder.release();
      released = true;
    } finally {
      if (!released) await holder.release();
    }
    expect(await t.exit).toBe(0);
    expect(t.out.join('\n')).toMatch(
      /cron-items: previous tick (still running|held the lock and has just released it)/,
    );
    // a waiting tick would have taken the lock once released, and resolved the rows
    expect(await standing()).toEqual({ resolved: 0, stamped: 0, untouched: ROWS });
    expect((await runs()).map((x) => x.outcome)).toEqual(['skipped']);
  });

  it('TASK_MAX_ROWS stops a tick at its budget; the next tick resumes there; every row handled once', async () => {
    const a = await run({ TASK_MAX_ROWS: '30' });
    expect(a.code).toBe(0);
    expect(a.out.join('\n')).toMatch(/tick ended: budget reached/);
    const s1 = await loadState(db.sql, 'cron-items');
    expect(s1).toMatchObject({ status: 'budget' });
    expect(s1!.rowsProcessed).toBeGreaterThanOrEqual(30);
    expect(s1!.rowsProcessed).toBeLessThan(ROWS);
    const st1 = await standing();
    // parked rows are neither noted nor stamped: the state holds them
    expect(st1.resolved + st1.stamped + s1!.parked.length).toBe(s1!.rowsProcessed);

    const b = await run({ TASK_MAX_ROWS: '30' });
    expect(b.out.join('\n')).toMatch(/resuming cron-items at/);
    const s2 = await loadState(db.sql, 'cron-items');
    expect(s2!.rowsProcessed).toBeGreaterThan(s1!.rowsProcessed);

    for (let i = 0; i < 5 && (await loadState(db.sql, 'cron-items'))!.status !== 'done'; i++)
      expect((await run({ TASK_MAX_ROWS: '30' })).code).toBe(0);
    const end = await loadState(db.sql, 'cron-items');
    expect(end).toMatchObject({ status: 'done', rowsProcessed: ROWS });
    expect(end!.parked.length).toBe(10);
    expect(end!.outcomes).toEqual({ resolved: 80, no_match: 10, parked: 10 });
    expect(await standing()).toEqual({ resolved: 80, stamped: 10, untouched: 10 });
    const history = await runs();
    expect(history.every((r) => r.outcome === 'ok' && r.kind === 'cron')).toBe(true);
    expect(history.reduce((n, r) => n + r.rows_read, 0)).toBe(ROWS);
  });

  it('TASK_MAX_MS stops a tick after the batch that passes it; the next resumes', async () => {
    const a = await run({ TASK_MAX_MS: '1' });
    expect(a.code).toBe(0);
    const s1 = await loadState(db.sql, 'cron-items');
    expect(s1).toMatchObject({ status: 'budget' });
    expect(s1!.rowsProcessed).toBeLessThan(ROWS);
    const b = await run();
    expect(b.code).toBe(0);
    expect(await loadState(db.sql, 'cron-items')).toMatchObject({ status: 'done', rowsProcessed: ROWS });
  });

  it('DRY_RUN=1 prints counts per outcome and writes nothing: the table as it was, no stamp, no state', async () => {
    const before = await db.sql`SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS h FROM cron_items t`;
    const r = await run({ DRY_RUN: '1' });
    expect(r.code).toBe(0);
    const line = r.out.find((l) => /outcomes this run:/.test(l));
    expect(line).toMatch(/resolved 80/);
    expect(line).toMatch(/no_match 10/);
    expect(line).toMatch(/parked 10/);
    expect(line).toMatch(/\(dry run\)/);
    expect(await db.sql`SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS h FROM cron_items t`).toEqual(before);
    expect(await loadState(db.sql, 'cron-items')).toBeNull();
  });

  it('--help lists the tick budget and DRY_RUN settings, without touching the database', async () => {
    const r = await run({}, ['--help']);
    expect(r.code).toBe(0);
    for (const v of ['TASK_MAX_ROWS', 'TASK_MAX_MS', 'DRY_RUN']) expect(r.out.join('\n')).toContain(v);
    expect(await runs()).toEqual([]);
  });

  it('a finished tick is recorded in run history with its counts', async () => {
    expect((await run()).code).toBe(0);
    expect(await runs()).toEqual([
      { outcome: 'ok', exit_code: 0, kind: 'cron', rows_read: ROWS, rows_written: 80, rows_skipped: 10 },
    ]);
  });

  it('SIGTERM mid-tick: the batch in flight finishes, exit 130, nothing parked or stamped beyond what was handled; the next tick completes', async () => {
    const gate = await holdGate();
    const t = tick({ CRON_GATE: '1' });
    try {
      await t.waitFor(/resolving 20 rows from id 1\b/);
      t.child.kill('SIGTERM');
      await t.waitFor(/SIGTERM: finishing the current batch/);
    } finally {
      await gate.release();
    }
    expect(await t.exit).toBe(130);
    expect(t.out.join('\n')).toMatch(/stopped after \d+ rows/);
    const s = await loadState(db.sql, 'cron-items');
    expect(s).toMatchObject({ status: 'interrupted' });
    const st = await standing();
    // what the state says was handled is exactly what the table shows: resolved + stamped + parked
    expect(st.resolved + st.stamped + s!.parked.length).toBe(s!.rowsProcessed);
    expect(s!.rowsProcessed).toBeLessThan(ROWS);
    for (const p of s!.parked) expect(Number(p.id) % 10).toBe(0);
    expect((await runs()).map((r) => [r.outcome, r.exit_code])).toEqual([['interrupted', 130]]);

    expect((await run({ CRON_GATE: '0' })).code).toBe(0);
    expect(await standing()).toEqual({ resolved: 80, stamped: 10, untouched: 10 });
    expect(await loadState(db.sql, 'cron-items')).toMatchObject({ status: 'done', rowsProcessed: ROWS });
  });
});
