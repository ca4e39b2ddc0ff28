// pnpm bench:task-tick: one cron tick of the task engine (a budget of BENCH_TICK rows, default
// 2000) on a table of BENCH_ROWS rows (default 2.6M, the flowsheet's size) with 1% pending rows
// found by a partial index, against the same tick on a tenth of the table. Ticks alternate
// (a b, b a) over BENCH_ROUNDS rounds so load drift falls on both; the ratio is sum(big)/sum(small).
// Target: <= 1.2 (the cost follows the pending rows, not the table).
import postgres, { type Sql } from 'postgres';
import { outcome, runTask, type Task } from '@wxyc/backfill';
import { startLocalPostgres } from '@wxyc/local-postgres';

const ROWS = Number(process.env.BENCH_ROWS ?? 2_600_000);
const TICK = Number(process.env.BENCH_TICK ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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
    `tick of ${TICK} rows: ${ROWS} rows (1% pending) ${(t.big / ROUNDS).toFixed(0)} ms, ${Math.round(ROWS / 10)} rows ${(t.small / ROUNDS).toFixed(0)} ms; ratio ${(t.big / t.small).toFixed(3)} (target <= 1.2)`,
  );
} finally {
  await sql.end();
  await server.stop();
}
