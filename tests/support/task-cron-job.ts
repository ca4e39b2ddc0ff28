// A test-only cron job on runTaskJob, run as a real child process (node --import tsx): the frame's
// tick lock, budgets, DRY_RUN, run history and signals, on a table of its own (cron_items).
// A row's outcome follows n: n % 10 = 0 bad input (parked), n % 10 = 1 no match (stamped, re-asked
// after the TTL), else resolved (written). With CRON_GATE=1 each resolve first says which batch it
// holds, then reads cron_gate: a test holding that table's lock holds the tick there, by events.
import { outcome, readBackfillSettings, runTaskJob, type Task } from '@wxyc/backfill';

// Its tables: CRON_ITEMS_DDL in tests/integration/backfill/task-job-cron.test.ts.
const task: Task = {
  name: 'cron-items',
  table: 'public.cron_items',
  key: 'id',
  pending: 't.note IS NULL',
  attempted: { column: 'tried_at', reaskAfterDays: 30 },
  async resolve(rows, ctx) {
    if (process.env.CRON_GATE === '1') {
      ctx.log.info(`resolving ${rows.length} rows from id ${rows[0]!.id}`);
      await ctx.sql`SELECT count(*) FROM cron_gate`;
    }
    return rows.map((r) =>
      r.n % 10 === 0
        ? outcome.park(`n ${r.n} is bad input`, { code: 'BADIN' })
        : r.n % 10 === 1
          ? outcome.stamp('no_match')
          : outcome.write({ note: `ok ${r.n}` }, { label: 'resolved' }),
    );
  },
};

await runTaskJob({
  name: 'cron-fixture',
  kind: 'cron',
  help: { summary: 'Test-only cron task job over cron_items.' },
  readConfig: (env, argv) => readBackfillSettings(env, argv),
  task: () => task,
  async finish({ log }, s) {
    log.info(`tick ended: ${s.budgetReached ? 'budget reached' : 'done'}, ${s.pendingAtEnd} pending`);
    return 0;
  },
});
