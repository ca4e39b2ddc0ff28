// pnpm bench:backfill [--rows N] [--rounds R]: the dj_name backfill job against the single UPDATE it
// replaces, on identical copies of a production-shaped database, each with a concurrent writer at
// 20/s. Both run R times in one process, alternating (a b, b a, a b, ...) so the load of a shared
// machine drifts over both alike; the ratio is the sum of (b) over the sum of (a).
import { loadavg } from 'node:os';
import postgres, { type Sql } from 'postgres';
import { percentile, runBackfill } from '@wxyc/backfill';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL, maskUrl } from '@wxyc/database';
import { seedProdShape } from '@wxyc/fixtures';
import { createLogger, readArgs } from '@wxyc/job-runtime';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { flowsheetDjName } from '../jobs/backfills/flowsheet-dj-name-backfill/src/definition.js';
import { migrateWithDrizzle } from '../tests/support/drizzle-migrate.js';
import { withDatabase } from '../tests/support/urls.js';

const { values } = readArgs(
  {
    command: 'pnpm bench:backfill',
    summary:
      'The dj_name backfill job against the single UPDATE it replaces, on identical production-shaped copies with a concurrent writer, alternating R rounds; prints the ratio.',
    options: {
      rows: { type: 'string', value: 'N', default: '2600000', description: 'flowsheet rows' },
      rounds: { type: 'string', value: 'R', default: '2', description: 'rounds of each' },
      'batch-size': { type: 'string', value: 'N', default: '5000', description: "the backfill's first batch size" },
      'target-ms': { type: 'string', value: 'MS', default: '300', description: "the backfill's target per batch" },
    },
  },
  process.argv.slice(2),
  'bench',
);
const rows = Number(values.rows);
const rounds = Number(values.rounds);
if (!Number.isInteger(rows) || rows < 1000) throw new Error(`--rows must be an integer >= 1000, got ${values.rows}`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer >= 1, got ${values.rounds}`);

const log = (m: string) => console.log(`[bench] ${m}`);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const secs = (n: number) => `${(n / 1000).toFixed(1)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
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

const writerLine = (w: number[]) =>
  `concurrent insert p99 ${ms(percentile(w, 99))} (max ${ms(Math.max(...w))}, n=${w.length})`;

/** (a) the single statement that wedged production. */
async function single(url: string, shows: number): Promise<number> {
  const a = open(url);
  const stop = startWriter(url, shows);
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  const { count } = await a.unsafe(`
    UPDATE wxyc_schema.flowsheet f SET dj_name = ${DJ_NAME_SQL}
    FROM ${DJ_NAME_SOURCE_SQL} WHERE f.show_id = s.id AND f.entry_type = 'track' AND f.dj_name IS NULL`);
  const took = performance.now() - t0;
  const w = await stop();
  await a.end();
  log(`(a) single UPDATE: ${count} rows in ${secs(took)}; ${writerLine(w)}`);
  return took;
}

/** (b) the job's runner, the same definition the image runs, with the image's defaults. */
async function job(url: string, shows: number): Promise<number> {
  const b = open(url, 3);
  const batchMs: number[] = [];
  const stop = startWriter(url, shows);
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  const summary = await runBackfill(flowsheetDjName, {
    sql: b,
    log: createLogger('backfill', { log: () => {}, error: (m: string) => console.error(m) }),
    batchSize: Number(values['batch-size']),
    targetMs: Number(values['target-ms']),
    onBatch: (r) => batchMs.push(r.elapsedMs),
  });
  const took = performance.now() - t0;
  const w = await stop();
  await b.end();
  log(
    `(b) backfill job: ${summary.rowsWritten} rows (+${summary.rowsUnresolved} unresolved) in ${secs(took)}, ${summary.batches} batches ` +
      `(p50 ${ms(percentile(batchMs, 50))}, p95 ${ms(percentile(batchMs, 95))}, max ${ms(Math.max(...batchMs))}); ${writerLine(w)}`,
  );
  return took;
}

const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const server = external
  ? { url: external, stop: async () => {} }
  : await startLocalPostgres({ settings: { shared_buffers: '1GB', max_wal_size: '4GB', fsync: 'on' } });
// Ctrl-C: stop the embedded server (removing its temp data) rather than leave gigabytes behind.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void server.stop().finally(() => process.exit(130)));
}
log(
  `server ${maskUrl(server.url)}${external ? '' : ' (embedded, shared_buffers=1GB, max_wal_size=4GB)'}; load average ${load()}`,
);
const admin = open(server.url, 1);
const names = { src: `bench_src_${process.pid}`, copy: `bench_copy_${process.pid}` };
try {
  await admin.unsafe(`CREATE DATABASE ${names.src}`);
  const srcUrl = withDatabase(server.url, names.src);
  await migrateWithDrizzle(srcUrl, { upTo: '0053' });
  const t0 = performance.now();
  const src = open(srcUrl);
  const shape = await seedProdShape(src, { rows });
  await src`VACUUM ANALYZE`;
  await src.end();
  log(
    `seeded ${shape.rows} rows, ${shape.shows} shows, ${shape.users} users at migration 0053 in ${secs(performance.now() - t0)}`,
  );
  const total = { a: 0, b: 0 };
  for (let round = 1; round <= rounds; round++) {
    const took = { a: 0, b: 0 };
    // a b, then b a: each side runs first as often as the other
    for (const side of round % 2 === 1 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
      // a fresh copy of the seeded database for each run, dropped after it
      await admin.unsafe(`CREATE DATABASE ${names.copy} TEMPLATE ${names.src}`);
      const url = withDatabase(server.url, names.copy);
      took[side] = side === 'a' ? await single(url, shape.shows) : await job(url, shape.shows);
      await admin.unsafe(`DROP DATABASE ${names.copy} WITH (FORCE)`);
    }
    total.a += took.a;
    total.b += took.b;
    log(`round ${round}: ratio (b)/(a) = ${(took.b / took.a).toFixed(3)}; load average ${load()}`);
  }
  log(
    `ratio (b)/(a) over ${rounds} rounds = ${(total.b / total.a).toFixed(3)} (${secs(total.b)} / ${secs(total.a)}); load average ${load()}`,
  );
} finally {
  for (const n of Object.values(names)) await admin.unsafe(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  await admin.end();
  await server.stop();
}
