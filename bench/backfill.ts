// pnpm bench:backfill [--rows N]: the dj_name backfill job against the single UPDATE it replaces,
// on identical copies of a production-shaped database, each with a concurrent writer at 20/s.
import { parseArgs } from 'node:util';
import postgres, { type Sql } from 'postgres';
import { percentile, runBackfill } from '@wxyc/backfill';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL, maskUrl } from '@wxyc/database';
import { seedProdShape } from '@wxyc/fixtures';
import { createLogger } from '@wxyc/job-runtime';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { flowsheetDjName } from '../jobs/backfills/flowsheet-dj-name-backfill/src/definition.js';
import { migrateWithDrizzle } from '../tests/support/drizzle-migrate.js';
import { withDatabase } from '../tests/support/urls.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2600000' }, 'batch-size': { type: 'string', default: '5000' }, 'target-ms': { type: 'string', default: '300' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1000) throw new Error(`--rows must be an integer >= 1000, got ${values.rows}`);

const log = (m: string) => console.log(`[bench] ${m}`);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const open = (url: string, max = 2): Sql => postgres(url, { max, onnotice: () => {} });

/** Inserts one flowsheet row every 50 ms (as the live app does while the backfill runs) and times each. */
function startWriter(url: string, shows: number) {
  const sql = open(url, 1);
  const latencies: number[] = [];
  let stopped = false;
  const loop = (async () => {
    await sql`SELECT 1`; // connect before timing
    let i = 0;
    while (!stopped) {
      const next = performance.now() + 50;
      const t0 = performance.now();
      await sql`
        INSERT INTO wxyc_schema.flowsheet (show_id, entry_type, artist_name, track_title, play_order, dj_name)
        VALUES (${1 + (i++ % shows)}, 'track', 'Live Artist', 'Live Track', 1, 'Live DJ')`;
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await sql.end();
    return latencies;
  };
}

const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const server = external
  ? { url: external, stop: async () => {} }
  : await startLocalPostgres({ settings: { shared_buffers: '1GB', max_wal_size: '4GB', fsync: 'on' } });
// Ctrl-C: stop the embedded server (removing its temp data) rather than leave gigabytes behind.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void server.stop().finally(() => process.exit(130)));
}
log(`server ${maskUrl(server.url)}${external ? '' : ' (embedded, shared_buffers=1GB, max_wal_size=4GB)'}`);
const admin = open(server.url, 1);
const names = { src: `bench_src_${process.pid}`, a: `bench_a_${process.pid}`, b: `bench_b_${process.pid}` };
try {
  await admin.unsafe(`CREATE DATABASE ${names.src}`);
  const srcUrl = withDatabase(server.url, names.src);
  await migrateWithDrizzle(srcUrl, { upTo: '0053' });
  let t0 = performance.now();
  const src = open(srcUrl);
  const shape = await seedProdShape(src, { rows });
  await src`VACUUM ANALYZE`;
  await src.end();
  log(`seeded ${shape.rows} rows, ${shape.shows} shows, ${shape.users} users at migration 0053 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const copy of [names.a, names.b]) await admin.unsafe(`CREATE DATABASE ${copy} TEMPLATE ${names.src}`);

  // (a) the single statement that wedged production
  const aUrl = withDatabase(server.url, names.a);
  const a = open(aUrl);
  let stop = startWriter(aUrl, shape.shows);
  await new Promise((r) => setTimeout(r, 200));
  t0 = performance.now();
  const { count: aRows } = await a.unsafe(`
    UPDATE wxyc_schema.flowsheet f SET dj_name = ${DJ_NAME_SQL}
    FROM ${DJ_NAME_SOURCE_SQL} WHERE f.show_id = s.id AND f.entry_type = 'track' AND f.dj_name IS NULL`);
  const aMs = performance.now() - t0;
  const aWriter = await stop();
  await a.end();
  log(`(a) single UPDATE: ${aRows} rows in ${(aMs / 1000).toFixed(1)} s; concurrent insert p99 ${ms(percentile(aWriter, 99))} (max ${ms(Math.max(...aWriter))}, n=${aWriter.length})`);

  // (b) the job's runner, same definition the image runs
  const bUrl = withDatabase(server.url, names.b);
  const b = open(bUrl, 3);
  const batchMs: number[] = [];
  stop = startWriter(bUrl, shape.shows);
  await new Promise((r) => setTimeout(r, 200));
  t0 = performance.now();
  const summary = await runBackfill(flowsheetDjName, {
    sql: b,
    log: createLogger('backfill', { log: () => {}, error: (m: string) => console.error(m) }),
    batchSize: Number(values['batch-size']),
    targetMs: Number(values['target-ms']),
    onBatch: (r) => batchMs.push(r.elapsedMs),
  });
  const bMs = performance.now() - t0;
  const bWriter = await stop();
  await b.end();
  log(`(b) backfill job: ${summary.rowsWritten} rows (+${summary.rowsUnresolved} unresolved) in ${(bMs / 1000).toFixed(1)} s, ${summary.batches} batches; concurrent insert p99 ${ms(percentile(bWriter, 99))} (max ${ms(Math.max(...bWriter))}, n=${bWriter.length})`);
  log(`(b) batch time p50 ${ms(percentile(batchMs, 50))}, p95 ${ms(percentile(batchMs, 95))}, max ${ms(Math.max(...batchMs))}`);
  log(`ratio (b)/(a) = ${(bMs / aMs).toFixed(2)}`);
} finally {
  for (const n of Object.values(names)) await admin.unsafe(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  await admin.end();
  await server.stop();
}
