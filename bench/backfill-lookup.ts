// pnpm bench:backfill-lookup: the TypeScript-resolve path against the local HTTP API at a limit of
// R requests/s, with 10% failures and 429s. Prints the achieved rate / R, rows written once and
// twice (counted), and whether a sampled pg_locks ever showed a lock held during the lookups.
import postgres from 'postgres';
import { runLookupBackfill } from '@wxyc/backfill';
import { createLogger } from '@wxyc/job-runtime';
import { startLocalPostgres } from '@wxyc/local-postgres';
import { startMetadataServer } from '../tests/support/metadata-server.js';
import { albumLookup, createAlbumTable } from '../tests/integration/backfill/definitions/album-lookup.js';

const R = Number(process.env.BENCH_RPS ?? 50);
const ROWS = Number(process.env.BENCH_ROWS ?? 1500);
const server = await startLocalPostgres({});
const sql = postgres(server.url, { max: 4, onnotice: () => {} });
const api = await startMetadataServer({ failEvery: 10, limitEvery: 50, retryAfter: '0' });
try {
  await createAlbumTable(sql);
  // every row its own key: each row costs at least one request
  await sql`INSERT INTO albums (id, catalogue) SELECT g, 'K' || g FROM generate_series(1, ${ROWS}::int) g`;
  let held = 0;
  let inFlight = 0;
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      // counted only when lookups were in flight before and after the sample: the batch writes only after its lookups end
      const before = inFlight;
      const [r] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE a.pid <> pg_backend_pid() AND a.datname = current_database()
          AND (l.relation = 'public.albums'::regclass OR l.locktype IN ('tuple', 'transactionid') OR a.state LIKE 'idle in transaction%')`;
      if (before > 0 && inFlight > 0) {
        held += r!.n;
        samples++;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  const base = albumLookup(api.url, {
    requestsPerMinute: R * 60,
    burst: Number(process.env.BENCH_BURST ?? 4),
    maxConcurrency: 8,
    timeoutMs: 2000,
    backoffBaseMs: 20,
  });
  const def = {
    ...base,
    lookup: async (...a: Parameters<typeof base.lookup>) => {
      inFlight++;
      try {
        return await base.lookup(...a);
      } finally {
        inFlight--;
      }
    },
  };
  const t0 = performance.now();
  const s = await runLookupBackfill(def, { sql, log: createLogger('bench'), batchSize: 200 });
  const secs = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;
  const [c] = await sql<{ once: number; twice: number; lost: number }[]>`
    SELECT count(*) FILTER (WHERE writes = 1)::int AS once, count(*) FILTER (WHERE writes > 1)::int AS twice,
           count(*) FILTER (WHERE label IS NULL)::int AS lost FROM albums`;
  const rate = api.log.length / secs;
  console.log(
    `rows ${ROWS}, limit ${R} req/s (burst ${process.env.BENCH_BURST ?? 4}): ${api.log.length} requests in ${secs.toFixed(1)} s = ${rate.toFixed(1)} req/s, ratio ${(rate / R).toFixed(3)}`,
  );
  console.log(
    `429s ${api.log.filter((e) => e.status === 429).length}, 500s ${api.log.filter((e) => e.status === 500).length}; written once ${c!.once}, twice ${c!.twice}, lost ${c!.lost}, parked ${s.rowsParked}`,
  );
  console.log(
    `pg_locks samples taken during lookups ${samples}: table/tuple/xid locks or open transactions seen ${held}`,
  );
} finally {
  await sql.end();
  await api.close();
  await server.stop();
}
