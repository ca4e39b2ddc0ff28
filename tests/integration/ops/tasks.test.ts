// ops:status on tasks of the engine: what their state rows in backfill.runs say (parked, due or
// not, outcomes, position, a budget stop, the rows by where they stood at the end of the last run),
// from real runs of runTask on real PostgreSQL, in collectStatus, the text view and the CLI's --json.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { outcome, runTask, taskStatus, type Task } from '@wxyc/backfill';
import { MIGRATIONS_DIR } from '@wxyc/database';
import { collectStatus, renderStatus } from '@wxyc/ops';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from '../backfill/helpers.js';

const db = useTestDatabase();
const entry = fileURLToPath(new URL('../../../dev_env/ops-status.mjs', import.meta.url));

const HOUR = 3_600_000;
// n % 10 = 0: parked, retried after an hour; n % 10 = 1: no match (stamped, re-asked after 30 days); else resolved
const task: Task = {
  name: 'ops-items',
  table: 'public.ops_items',
  key: 'id',
  pending: 't.note IS NULL',
  attempted: { column: 'tried_at', reaskAfterDays: 30 },
  retry: { afterMs: HOUR, maxAttempts: 3 },
  async resolve(rows) {
    return rows.map((r) =>
      r.n % 10 === 0
        ? outcome.park(`n ${r.n} is bad input`, { retryAfterMs: HOUR })
        : r.n % 10 === 1
          ? outcome.stamp('no_match')
          : outcome.write({ note: 'ok' }, { label: 'resolved' }),
    );
  },
};

describe('ops:status: tasks', () => {
  it('shows each task from its state row: a budget stop, its position, outcomes, parked rows and their retry time', async () => {
    await db.sql`CREATE TABLE ops_items (id int PRIMARY KEY, n int NOT NULL, note text, tried_at timestamptz)`;
    await db.sql`INSERT INTO ops_items (id, n) SELECT g, g FROM generate_series(1, 100) g`;
    const s = await runTask(task, { sql: db.sql, log: captureLog(), batchSize: 20, maxRows: 40 });
    expect(s).toMatchObject({ budgetReached: true, rowsProcessed: 40 });

    const st = await collectStatus(db.sql, [], MIGRATIONS_DIR);
    expect(st.tasks).toHaveLength(1);
    const t = st.tasks[0]!;
    expect(t).toMatchObject({
      name: 'ops-items',
      status: 'budget',
      budgetStopped: true,
      position: ['40'],
      rowsDone: 40,
      outcomes: { resolved: 32, no_match: 4, parked: 4 },
      parked: 4,
      parkedDue: 0,
      // counted by the run at its end, with the definition ops does not have
      standing: { pending: 60, waitingForTtl: 4, parked: 4, at: expect.any(Date) },
    });
    expect(t.nextRetryAt!.getTime()).toBeGreaterThan(st.at.getTime());
    expect(st.problems.some((p) => p.includes('ops-items'))).toBe(false);
    const text = renderStatus(st);
    expect(text).toMatch(
      /^ {2}ops-items\s+budget \(resumes next tick\), at \["40"\], rows 40, parked 4 \(0 due\), next retry in (1h00m|59m); outcomes: no_match 4, parked 4, resolved 32, last run 0s ago; at the end of the last run \(0s ago\): pending 60, waiting for TTL 4, parked 4$/m,
    );

    // the same counted now, where the definition is
    expect(await taskStatus(db.sql, task)).toMatchObject({
      pending: 60,
      waitingForTtl: 4,
      parked: 4,
      status: 'budget',
    });

    // the parked rows' retry time passed: due, retried by the next run
    await db.sql`UPDATE backfill.runs SET parked = (SELECT jsonb_agg(p || jsonb_build_object('retryAfter', '2000-01-01T00:00:00Z')) FROM jsonb_array_elements(parked) p) WHERE name = 'ops-items'`;
    expect((await collectStatus(db.sql, [], MIGRATIONS_DIR)).tasks[0]).toMatchObject({
      parked: 4,
      parkedDue: 4,
      nextRetryAt: null,
    });

    // --json carries the same
    const root = mkdtempSync(join(tmpdir(), 'ops-tasks-'));
    mkdirSync(join(root, 'jobs/once'), { recursive: true });
    writeFileSync(join(root, 'jobs/once/package.json'), JSON.stringify({ name: 'once', 'job-type': 'one-shot' }));
    const out = await promisify(execFile)(process.execPath, [entry, '--json'], {
      env: { PATH: process.env.PATH, DATABASE_URL: db.url, OPS_JOBS_DIR: root },
    });
    expect(JSON.parse(out.stdout).tasks).toEqual([
      expect.objectContaining({
        name: 'ops-items',
        status: 'budget',
        parked: 4,
        parkedDue: 4,
        outcomes: { resolved: 32, no_match: 4, parked: 4 },
        standing: expect.objectContaining({ pending: 60, waitingForTtl: 4, parked: 4 }),
      }),
    ]);

    // the next tick's end replaces them; a tick that is interrupted leaves the last ones
    await db.sql`UPDATE ops_items SET tried_at = now() - interval '31 days' WHERE tried_at IS NOT NULL AND note IS NULL`;
    await runTask(task, { sql: db.sql, log: captureLog(), batchSize: 20, maxRows: 20 });
    // 4 due parked rows retried (parked again) and 16 more rows: 13 resolved, 2 no match, 1 parked
    expect((await collectStatus(db.sql, [], MIGRATIONS_DIR)).tasks[0]!.standing).toMatchObject({
      pending: 48,
      waitingForTtl: 2,
      parked: 5,
    });
    const stop = new AbortController();
    stop.abort();
    await runTask(task, { sql: db.sql, log: captureLog(), batchSize: 20, signal: stop.signal });
    expect((await collectStatus(db.sql, [], MIGRATIONS_DIR)).tasks[0]).toMatchObject({
      status: 'interrupted',
      standing: { pending: 48, waitingForTtl: 2, parked: 5 },
    });
  });

  it('an older SQL-walk backfill row is not shown as a task', async () => {
    await db.sql`INSERT INTO backfill.runs (name, status, batch_size) VALUES ('old-walk', 'done', 100)`;
    const st = await collectStatus(db.sql, [], MIGRATIONS_DIR);
    expect(st.tasks.map((t) => t.name)).toEqual(['ops-items']);
    expect(st.backfills.map((b) => b.name)).toContain('old-walk');
  });
});
