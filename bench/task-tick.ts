// pnpm bench:task-tick [--rows N] [--tick N] [--rounds R]: one cron tick of the task engine (a
// budget of --tick rows, default 2000) on a table of --rows rows (default 2.6M, the flowsheet's
// size) with 1% pending rows found by a partial index, against the same tick on a tenth of the
// table. Ticks alternate (a b, b a) over the rounds so load drift falls on both; the ratio is
// sum(big)/sum(small). Target: <= 1.2 (the cost follows the pending rows, not the table).
import { loadavg } from 'node:os';
import postgres, { type Sql } from 'postgres';
import { outcome, runTask, type Task } from '@wxyc/backfill';
import { readArgs } from '@wxyc/job-runtime';
import { startLocalPostgres } from '@wxyc/local-postgres';

const { values } = readArgs(
  {
    command: 'pnpm bench:task-tick',
    summary:
      'One cron tick of the task engine on a large table with 1% pending rows (a partial index) against the same tick on a tenth of it; prints the ratio (target <= 1.2). Seeding 2.6M rows takes about half a minute.',
    options: {
      rows: { type: 'string', value: 'N', default: '2600000', description: 'rows of the large table (>= 10000)' },
      tick: { type: 'string', value: 'N', default: '2000', description: "the tick's budget in rows" },
      rounds: { type: 'string', value: 'R', default: '3', description: 'rounds of each, alternated' },
    },
  },
  process.argv.slice(2),
  'bench',
);
const ROWS = Number(values.rows);
const TICK = Number(values.tick);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROWS) || ROWS < 10_000) throw new Error(`--rows must be an integer >= 10000, got ${values.rows}`);
if (!Number.isInteger(TICK) || TICK < 1 || TICK > ROWS / 1000)
  throw new Error(`--tick must be an integer in [1, rows / 1000] (the small table's pending rows), got ${values.tick}`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be an integer >= 1, got ${values.rounds}`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const quiet = { info: () => {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

async function seed(sql: Sql, table: string, rows: number): Promise<void> {
  await sql`CREATE TABLE ${sql(table)} (id int PRIMARY KEY, title text NOT NULL, done_at timestamptz)`;
  await sql`INSERT INTO ${sql(table)} SELECT g, 'a title of some length ' || g, CASE WHEN g % 100 <> 0 THEN now() END FROM generate_series(1, ${rows}::int) g`;
  await sql`CREATE INDEX ${sql(`${table}_pending`)} ON ${sql(table)} (id) WHERE done_at IS NULL`;
  await sql`VACUUM ANALYZE ${sql(table)}`;
}

const task = (table: string): Task => ({
  name: `tick-${table}`,
  table: `public.${table}`,
  key: 'id',
  pending: 't.done_at IS NULL',
  analyze: false,
  resolve: async (rows) => rows.map(() => outcome.write({ done_at: new Date().toISOString() })),
});

async function tick(sql: Sql, table: string): Promise<number> {
  const t0 = performance.now();
  const s = await runTask(task(table), { sql, log: quiet, batchSize: 500, maxRows: TICK, reset: true });
  const ms = performance.now() - t0;
  if (s.rowsWritten !== TICK) throw new Error(`${table}: wrote ${s.rowsWritten}, not ${TICK}`);
  await sql`UPDATE ${sql(table)} SET done_at = NULL WHERE id % 100 = 0 AND done_at IS NOT NULL`; // the same pending rows next time
  await sql`VACUUM ${sql(table)}`;
  return ms;
}

const server = await startLocalPostgres({});
const sql = postgres(server.url, { max: 4, onnotice: () => {} });
try {
  console.log(`seeding ${ROWS} and ${Math.round(ROWS / 10)} rows; load ${load()}`);
  await seed(sql, 'big', ROWS);
  await seed(sql, 'small', Math.round(ROWS / 10));
  await tick(sql, 'big');
  await tick(sql, 'small'); // warm-up, not counted
  const t = { big: 0, small: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? (['small', 'big'] as const) : (['big', 'small'] as const);
    for (const table of order) {
      const ms = await tick(sql, table);
      t[table] += ms;
      console.log(`round ${r + 1} ${table}: ${ms.toFixed(0)} ms`);
    }
  }
  console.log(
    `tick of ${TICK} rows: ${ROWS} rows (1% pending) ${(t.big / ROUNDS).toFixed(0)} ms, ${Math.round(ROWS / 10)} rows ${(t.small / ROUNDS).toFixed(0)} ms; ratio ${(t.big / t.small).toFixed(3)} (target <= 1.2); load ${load()}`,
  );
} finally {
  await sql.end();
  await server.stop();
}
