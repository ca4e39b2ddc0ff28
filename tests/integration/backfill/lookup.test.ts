// Resolve in TypeScript: values from a local HTTP metadata API that rate-limits (429 +
// Retry-After), fails 10% of calls and sometimes hangs. Counted: no row lost, none written twice,
// no lock held (nor transaction open) while a lookup is in flight.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadState, runLookupBackfill, type LimiterSettings } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { startMetadataServer, type Faults } from '../../support/metadata-server.js';
import { captureLog } from './helpers.js';
import { albumLookup, createAlbumTable } from './definitions/album-lookup.js';

const db = useTestDatabase('empty');
const fast: Partial<LimiterSettings> = {
  requestsPerMinute: 6000,
  burst: 4,
  maxConcurrency: 4,
  timeoutMs: 800,
  maxRetries: 4,
  backoffBaseMs: 10,
  backoffMaxMs: 1500,
};
let server: Awaited<ReturnType<typeof startMetadataServer>> | null = null;

async function counts() {
  const [r] = await db.sql<{ rows: number; once: number; twice: number; pending: number }[]>`
    SELECT count(*)::int AS rows, count(*) FILTER (WHERE writes = 1)::int AS once,
           count(*) FILTER (WHERE writes > 1)::int AS twice, count(*) FILTER (WHERE label IS NULL)::int AS pending FROM albums`;
  return r!;
}

/** Locks on the table, transaction ids held, and open transactions, of every session but ours. */
async function heldByOthers() {
  return db.sql<{ locktype: string; mode: string; state: string | null }[]>`
    SELECT l.locktype, l.mode, a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE a.pid <> pg_backend_pid() AND a.datname = current_database()
      AND (l.relation = 'public.albums'::regclass OR l.locktype IN ('tuple', 'transactionid') OR a.state LIKE 'idle in transaction%')`;
}

describe('lookup backfill (resolve in TypeScript)', () => {
  beforeAll(() => createAlbumTable(db.sql));
  beforeEach(async () => {
    await db.sql`DROP TABLE IF EXISTS backfill.runs`;
    await db.sql`TRUNCATE albums`;
    // 120 rows, 60 catalogue keys: every key is shared by two rows
    await db.sql`INSERT INTO albums (id, catalogue) SELECT g, 'C' || (g % 60) FROM generate_series(1, 120) g`;
  });
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('writes every row exactly once through 429s, 10% failures and a hang, holding no lock during the lookups', async () => {
    let hung!: (key: string) => void;
    const hang = new Promise<string>((r) => (hung = r));
    server = await startMetadataServer(
      { failEvery: 10, limitEvery: 25, retryAfter: '1', hangOnce: new Set(['C7']) },
      (k) => hung(k),
    );
    const run = runLookupBackfill(albumLookup(server.url, fast), { sql: db.sql, log: captureLog(), batchSize: 50 });

    expect(await Promise.race([hang, run.then((r) => `ended before the hang: ${JSON.stringify(r)}`)])).toBe('C7');
    const samples = [];
    for (let i = 0; i < 5; i++) {
      samples.push(...(await heldByOthers()));
      await new Promise((r) => setTimeout(r, 40));
    }
    const [lockHolder] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND a.datname = current_database()`;
    expect(lockHolder!.n).toBe(1); // the run is there, holding only its advisory lock
    expect(samples).toEqual([]);
    // changed while its lookup is in flight: the stale value must not be written over it
    await db.sql`UPDATE albums SET catalogue = 'C7-new' WHERE id = 7`;

    const s = await run;
    expect(s).toMatchObject({ interrupted: false, rowsWritten: 120, rowsParked: 0, skipped: [] });
    expect(await counts()).toEqual({ rows: 120, once: 120, twice: 0, pending: 0 });
    const [seven] = await db.sql`SELECT label, year FROM albums WHERE id = 7`;
    expect(seven).toEqual({ label: 'label of C7-new', year: 1996 });

    const ok = server.log.filter((e) => e.status === 200).map((e) => e.key);
    expect(ok.length).toBe(61); // one answered lookup per key (C7-new included): the cache
    expect(new Set(ok).size).toBe(61);
    expect(s.cacheHits).toBeGreaterThanOrEqual(59);
    expect(server.log.filter((e) => e.status === 500).length).toBeGreaterThan(0);
    const limited = server.log.filter((e) => e.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const l of limited) {
      const retry = server.log.find((e) => e.key === l.key && e.at >= l.at && e !== l);
      expect(retry!.at - l.at).toBeGreaterThanOrEqual(950); // Retry-After: 1 honoured
    }
  });

  it('parks rows whose lookup keeps failing with a retry-after time, and retries them only once it has passed', async () => {
    server = await startMetadataServer({ down: new Set(['C3']) });
    const def = albumLookup(server.url, { ...fast, maxRetries: 2 });
    const opts = { sql: db.sql, log: captureLog(), batchSize: 50 };
    const s = await runLookupBackfill(def, opts);
    expect(s).toMatchObject({ rowsWritten: 118, rowsParked: 2 });
    expect(s.parked).toEqual([
      { sqlstate: 'LOOKP', message: 'HTTP 503 Service Unavailable after 3 attempts', count: 2, sample: [3, 63] },
    ]);
    expect(server.log.filter((e) => e.key === 'C3').length).toBe(3); // asked once (3 attempts), not once per row
    const parked = (await loadState(db.sql, 'album-lookup'))!.parked;
    expect(Date.parse(parked[0]!.retryAfter!)).toBeGreaterThan(Date.now());

    server.faults.down!.clear();
    const early = await runLookupBackfill(def, { ...opts, retryParked: true });
    expect(early).toMatchObject({ rowsWritten: 0, rowsParked: 2 }); // not due yet: not asked
    expect(server.log.filter((e) => e.key === 'C3').length).toBe(3);
    const latest = Math.max(...parked.map((p) => Date.parse(p.retryAfter!)));
    await new Promise((r) => setTimeout(r, latest - Date.now() + 50));
    const due = await runLookupBackfill(def, { ...opts, retryParked: true });
    expect(due).toMatchObject({ rowsWritten: 2, rowsParked: 0 });
    expect(await counts()).toEqual({ rows: 120, once: 120, twice: 0, pending: 0 });
  });

  it('pauses on an open circuit instead of failing every row, stops resumably at the pause cap, and resumes', async () => {
    const faults: Faults = { allDown: true };
    server = await startMetadataServer(faults);
    const limiter = { ...fast, maxConcurrency: 1, maxRetries: 1, breakerThreshold: 3, breakerCooldownMs: 200 };
    const log = captureLog();
    const s = await runLookupBackfill(albumLookup(server.url, limiter), {
      sql: db.sql,
      log,
      batchSize: 50,
      maxBreakerPauseMs: 500,
    });
    expect(s.interrupted).toBe(true);
    expect(s.rowsWritten).toBe(0);
    // only failures before the batch's first row the open circuit held back are parked (answers
    // arrive out of row order, so how many varies): a few, never the 120
    expect(s.rowsParked).toBeLessThanOrEqual(40);
    // calls that started before the circuit opened are sent (a retry's back-off lets the next call in), none after
    expect(s.requests).toBeLessThan(60);
    expect(log.lines.some((l) => l.includes('circuit open, pausing'))).toBe(true);
    expect(log.lines.some((l) => l.includes('stopping, run again to resume'))).toBe(true);
    expect((await loadState(db.sql, 'album-lookup'))!.status).toBe('interrupted');

    faults.allDown = false;
    const again = await runLookupBackfill(albumLookup(server.url, limiter), {
      sql: db.sql,
      log: captureLog(),
      batchSize: 50,
    });
    expect(again).toMatchObject({ interrupted: false, rowsWritten: 120 - s.rowsParked, rowsParked: s.rowsParked });
    const c = await counts();
    expect(c).toEqual({ rows: 120, once: 120 - s.rowsParked, twice: 0, pending: s.rowsParked });
  });
});
