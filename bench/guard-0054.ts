// pnpm bench:guard-0054 [--rows N]: how long the dj_name guard (the first 0054's, now the first
// check of the switch 0061) takes on a production-shaped
// flowsheet (seedProdShape at 0053), before the backfill (it refuses: EXISTS, then the count) and
// after it (it passes: a full pass that finds nothing), extrapolated linearly to 2.6M rows; then
// the full-table queries a `--refresh` runs at start (pending count, dry-run reasons), which run
// under the job's 60 s statement_timeout.
import { readArgs } from '@wxyc/job-runtime';
import postgres, { type Sql } from 'postgres';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL, MIGRATIONS_DIR, loadMigrations, maskUrl } from '@wxyc/database';
import { seedProdShape } from '@wxyc/fixtures';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { refreshPendingCount, refreshReasons } from '../jobs/backfills/flowsheet-dj-name-backfill/src/definition.js';
import { migrateWithDrizzle } from '../tests/support/drizzle-migrate.js';
import { withDatabase } from '../tests/support/urls.js';

const PRODUCTION_ROWS = 2_600_000;
const REPS = 3;
const { values } = readArgs(
  {
    command: 'pnpm bench:guard-0054',
    summary:
      "How long the dj_name guard (0061's first check) takes on a production-shaped flowsheet before and after the backfill, extrapolated to 2.6M rows; then the full-table queries of a --refresh start.",
    options: { rows: { type: 'string', value: 'N', default: '650000', description: 'flowsheet rows (>= 1000)' } },
  },
  process.argv.slice(2),
  'bench',
);
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1000) throw new Error(`--rows must be an integer >= 1000, got ${values.rows}`);

const log = (m: string) => console.log(`[bench] ${m}`);
// 0061's DO block checks dj_name first; its first IF ... END IF is that guard, run on its own here.
const switchBlock = loadMigrations(MIGRATIONS_DIR)
  .find((m) => m.tag.startsWith('0061'))!
  .statements.find((st) => st.sql.includes('DO $$'))!.sql;
const guard = `${switchBlock.slice(0, switchBlock.indexOf('END IF;') + 'END IF;'.length)}\nEND $$;`;

/** Runs the guard REPS times; the first run is reported apart (colder caches). Returns ms and whether it refused. */
async function timeGuard(sql: Sql): Promise<{ first: number; median: number; refused: boolean }> {
  const times: number[] = [];
  let refused = false;
  for (let i = 0; i <= REPS; i++) {
    const t = performance.now();
    refused = await sql.unsafe(guard).then(
      () => false,
      (e: Error) => /backfill incomplete/.test(e.message) || Promise.reject(e),
    );
    times.push(performance.now() - t);
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  return { first: times[0]!, median: rest[Math.floor(rest.length / 2)]!, refused };
}

const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const server = external
  ? { url: external, stop: async () => {} }
  : await startLocalPostgres({ settings: { shared_buffers: '1GB', max_wal_size: '4GB' } });
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => void server.stop().finally(() => process.exit(130)));
log(`server ${maskUrl(server.url)}${external ? '' : ' (embedded, shared_buffers=1GB)'}`);
const admin = postgres(server.url, { max: 1, onnotice: () => {} });
const name = `bench_guard_${process.pid}`;
try {
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = withDatabase(server.url, name);
  await migrateWithDrizzle(url, { upTo: '0053' });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const shape = await seedProdShape(sql, { rows });
  await sql`VACUUM ANALYZE`;
  log(`seeded ${shape.rows} rows, ${shape.shows} shows, ${shape.users} users at migration 0053`);
  const scale = PRODUCTION_ROWS / shape.rows;
  const report = (state: string, r: { first: number; median: number; refused: boolean }) =>
    log(
      `${state}: guard ${r.refused ? 'refuses' : 'passes'}; first run ${r.first.toFixed(0)} ms, then median ${r.median.toFixed(0)} ms ` +
        `-> at 2.6M rows about ${((r.first * scale) / 1000).toFixed(1)} s / ${((r.median * scale) / 1000).toFixed(1)} s (x${scale.toFixed(2)}, linear)`,
    );
  report('before the backfill (every track row NULL)', await timeGuard(sql));
  await sql.unsafe(`UPDATE wxyc_schema.flowsheet f SET dj_name = ${DJ_NAME_SQL} FROM ${DJ_NAME_SOURCE_SQL}
    WHERE s.id = f.show_id AND f.entry_type = 'track' AND f.dj_name IS NULL AND ${DJ_NAME_SQL} IS NOT NULL`);
  await sql`VACUUM ANALYZE wxyc_schema.flowsheet`;
  const [left] = await sql<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE entry_type = 'track' AND dj_name IS NULL`;
  report(`after the backfill (${left!.n} no-handle track rows left NULL)`, await timeGuard(sql));
  const plan =
    await sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS) SELECT 1 FROM ${DJ_NAME_SOURCE_SQL} JOIN wxyc_schema.flowsheet f ON f.show_id = s.id
    WHERE f.entry_type = 'track' AND f.dj_name IS NULL AND ${DJ_NAME_SQL} IS NOT NULL LIMIT 1`);
  log(`plan of the guard's EXISTS after the backfill:\n${plan.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
  // A tenth of the named rows get a stale name, as if their shows' DJs had changed.
  await sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Stale' WHERE dj_name IS NOT NULL AND id % 10 = 0`;
  await sql`VACUUM ANALYZE wxyc_schema.flowsheet`;
  for (const [what, q] of [
    ['pending count', () => refreshPendingCount(sql)],
    ['dry-run reasons', () => refreshReasons(sql)],
  ] as const) {
    const t = performance.now();
    await q();
    const took = performance.now() - t;
    log(
      `--refresh start-up, ${what}: ${took.toFixed(0)} ms -> at 2.6M rows about ${((took * scale) / 1000).toFixed(1)} s (job statement_timeout 60 s)`,
    );
  }
  await sql.end();
} finally {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  await admin.end();
  await server.stop();
}
