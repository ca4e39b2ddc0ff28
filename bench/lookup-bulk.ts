// pnpm bench:lookup-bulk [--rps R] [--keys K] [--rows N]: bulk lookups through the task engine
// (eachBulk + @wxyc/lml's bulkLookup on the run's limiter) against the local LML stand-in, started
// in-process with random faults: a share of requests answered 429 and a share of items failed
// alone (`status: "error"`, once per item). Pass 1 walks every row: a failed item stays pending
// (no write, no stamp); pass 2 asks only those. Prints pass 1's rows/s against 0.95 x R x K, and,
// from the table after both passes (a trigger counts each row's updates), rows written twice or lost.
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import postgres, { type Sql } from 'postgres';
import { eachBulk, outcome, runTask, type Task, type TaskSummary } from '@wxyc/backfill';
import { readArgs } from '@wxyc/job-runtime';
import { lmlClient, type LmlItem, type LmlReply } from '@wxyc/lml';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { startLmlServer } from '../tests/support/lml-server.js';

const { values } = readArgs(
  {
    command: 'pnpm bench:lookup-bulk',
    summary:
      'Bulk lookups (K keys per request) through the task engine at R requests/s against the local LML stand-in with per-item failures and 429s: rows/s vs 0.95 x R x K, rows written twice or lost.',
    options: {
      rps: { type: 'string', value: 'R', default: '20', description: 'the rate limit, requests per second' },
      keys: { type: 'string', value: 'K', default: '50', description: 'keys per request' },
      rows: { type: 'string', value: 'N', default: '20000', description: 'rows to resolve, each its own key' },
      'batch-size': { type: 'string', value: 'N', default: '0', description: 'rows per batch (0: R x K, a second)' },
      concurrency: { type: 'string', value: 'N', default: '4', description: 'requests in flight at once' },
      burst: { type: 'string', value: 'N', default: '4', description: "the limiter's burst (tokens)" },
      'item-errors': { type: 'string', value: 'P', default: '0.10', description: 'share of items failed alone' },
      'too-many': { type: 'string', value: 'P', default: '0.02', description: 'share of requests answered 429' },
      seed: { type: 'string', value: 'S', default: '1', description: "the stand-in's random seed" },
    },
  },
  process.argv.slice(2),
  'bench',
);
const num = (name: keyof typeof values, min: number, max = Infinity): number => {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${name} must be a number in [${min}, ${max}]`);
  return v;
};
const R = num('rps', 0.1);
const K = Math.round(num('keys', 1));
const ROWS = Math.round(num('rows', 1));
const BATCH = Math.round(num('batch-size', 0)) || Math.max(K, Math.round(R * K));
const faults = { itemErrorRate: num('item-errors', 0, 1), tooManyRate: num('too-many', 0, 1), seed: num('seed', 0) };
const API_KEY = 'bench-key';
const quiet = { info: () => {}, warn: (m: string) => console.warn(`[engine] ${m}`), error: console.error };
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Gaps between requests longer than `ms`: how many, and their time beyond the limiter's own pace. */
function gaps(at: readonly number[], ms: number): string {
  const long = at
    .slice(1)
    .map((t, i) => t - at[i]!)
    .filter((g) => g > ms);
  return `${long.length} (${long.reduce((n, g) => n + g - ms / 2, 0).toFixed(0)} ms beyond 1/R)`;
}

async function createTable(sql: Sql): Promise<void> {
  await sql`CREATE TABLE library (id int PRIMARY KEY, artist text NOT NULL, album text NOT NULL, release_id int, attempted_at timestamptz, writes int NOT NULL DEFAULT 0)`;
  // every UPDATE of a row counted: a row the engine wrote twice shows writes = 2
  await sql.unsafe(`
    CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.writes := OLD.writes + 1; RETURN NEW; END $$;
    CREATE TRIGGER library_writes BEFORE UPDATE ON library FOR EACH ROW EXECUTE FUNCTION count_write();`);
  await sql`INSERT INTO library (id, artist, album) SELECT g, 'Artist ' || g, 'Album ' || g FROM generate_series(1, ${ROWS}::int) g`;
  await sql`CREATE INDEX library_pending ON library (id) WHERE release_id IS NULL`;
  await sql`VACUUM ANALYZE library`;
}

const task = (url: string): Task => ({
  name: 'bench-lookup-bulk',
  table: 'public.library',
  key: 'id',
  pending: 't.release_id IS NULL',
  attempted: { column: 'attempted_at', reaskAfterDays: 30 },
  limiter: {
    requestsPerMinute: R * 60,
    burst: num('burst', 1),
    maxConcurrency: Math.round(num('concurrency', 1)),
    timeoutMs: 10_000,
  },
  analyze: false,
  resolve: eachBulk<LmlItem, LmlReply>({
    size: K,
    itemOf: (r) => ({ artist: r.artist, album: r.album }),
    keyOf: (i) => `${i.artist} - ${i.album}`,
    ask: (items, ctx) => lmlClient({ url, apiKey: API_KEY, fetch: ctx.fetch }).bulkLookup(items),
    cacheable: (v) => v.outcome.kind !== 'transient',
    outcomeOf(_row, { outcome: o }) {
      if (o.kind === 'resolved') return outcome.write({ release_id: o.releaseId }, { label: 'resolved' });
      if (o.kind === 'transient') return outcome.pending(o.reason);
      if (o.kind === 'parked') return outcome.park(o.reason, { code: 'BADIN' });
      return outcome.stamp(o.kind);
    },
  }),
});

const lml = await startLmlServer(API_KEY, new Map(), faults);
const server = await startLocalPostgres({});
const sql = postgres(server.url, { max: 4, onnotice: () => {} });
try {
  await createTable(sql);
  console.log(
    `${ROWS} rows, R ${R} requests/s, K ${K} keys per request, batch ${BATCH} rows; faults: ${faults.itemErrorRate * 100}% items, ${faults.tooManyRate * 100}% 429s; load ${load()}`,
  );
  const pass = async (n: number): Promise<{ s: TaskSummary; secs: number }> => {
    const before = { requests: lml.arrivals.length, ...lml.faulted };
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const s = await runTask(task(lml.url), { sql, log: quiet, batchSize: BATCH });
    const cpu = process.cpuUsage(cpu0);
    const secs = (performance.now() - t0) / 1000;
    lag.disable();
    const rate = s.thisRun.rows / secs;
    const at = lml.arrivals.slice(before.requests);
    const steady = (at.length - 1) / ((at.at(-1)! - at[0]!) / 1000);
    const t1 = t0 + secs * 1000;
    console.log(
      `  requests: ${steady.toFixed(2)}/s from the first to the last (limit ${R}); run start to the first ${(at[0]! - t0).toFixed(0)} ms, the last to the run's end ${(t1 - at.at(-1)!).toFixed(0)} ms; gaps over 2/R: ${gaps(at, 2000 / R)}; event loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms; this process's CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
    );
    console.log(
      `pass ${n}: ${s.thisRun.rows} rows in ${secs.toFixed(2)} s = ${rate.toFixed(1)} rows/s; ${lml.arrivals.length - before.requests} requests ` +
        `(${lml.faulted.tooMany - before.tooMany} answered 429), ${lml.faulted.itemErrors - before.itemErrors} items failed; outcomes ${JSON.stringify(s.thisRun.outcomes)}; load ${load()}`,
    );
    return { s, secs };
  };
  const one = await pass(1);
  const [p] = await sql<{ pending: number }[]>`SELECT count(*)::int AS pending FROM library WHERE writes = 0`;
  const two = await pass(2);
  const [c] = await sql<{ once: number; twice: number; lost: number }[]>`
    SELECT count(*) FILTER (WHERE writes = 1 AND release_id IS NOT NULL)::int AS once,
           count(*) FILTER (WHERE writes > 1)::int AS twice,
           count(*) FILTER (WHERE writes = 0 OR release_id IS NULL)::int AS lost FROM library`;
  const target = 0.95 * R * K;
  const achieved = one.s.thisRun.rows / one.secs;
  console.log(
    `pass 1 left ${p!.pending} rows pending (items failed: ${lml.faulted.itemErrors}); pass 2 asked ${two.s.thisRun.rows}`,
  );
  console.log(
    `achieved ${achieved.toFixed(1)} rows/s vs target 0.95 x ${R} x ${K} = ${target.toFixed(1)}: ratio ${(achieved / (R * K)).toFixed(3)} of R x K (${achieved >= target ? 'met' : 'MISSED'})`,
  );
  console.log(`rows written once ${c!.once}, twice ${c!.twice}, lost ${c!.lost} (of ${ROWS})`);
  if (c!.twice > 0 || c!.lost > 0) process.exitCode = 1;
} finally {
  await sql.end();
  await lml.close();
  await server.stop();
}
