// eachBulk (the engine's bulk-with-cache resolve) through runTask on real PostgreSQL, with
// @wxyc/lml's bulkLookup against the local LML stand-in (tests/support/lml-server.ts): requests of
// K keys, equal keys asked once per run, verdicts mapped back to every row in order, failures left
// pending and completed by the next run; and the engine reading the next batch ahead while a batch
// commits, without writing a row the commit changed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eachBulk,
  outcome,
  runTask,
  type LimiterSettings,
  type Outcome,
  type ResolveContext,
  type Task,
} from '@wxyc/backfill';
import { lmlClient, type LmlItem, type LmlReply } from '@wxyc/lml';
import type { Row } from 'postgres';
import { useTestDatabase } from '../../support/test-database.js';
import { startLmlServer, type LmlFaults, type LmlScript } from '../../support/lml-server.js';
import { captureLog } from './helpers.js';

const db = useTestDatabase('empty');
const KEY = 'bulk-key';
const fast: Partial<LimiterSettings> = {
  requestsPerMinute: 60_000,
  burst: 8,
  maxConcurrency: 3,
  timeoutMs: 2_000,
  maxRetries: 2,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
};
let lml: Awaited<ReturnType<typeof startLmlServer>> | null = null;
const start = async (script: [string, LmlScript][] = [], faults?: LmlFaults) =>
  (lml = await startLmlServer(KEY, new Map(script), faults));
afterEach(async () => {
  await lml?.close();
  lml = null;
});

beforeEach(async () => {
  await db.sql.unsafe(`
    DROP TABLE IF EXISTS albums;
    DROP FUNCTION IF EXISTS count_write;
    CREATE TABLE albums (id int PRIMARY KEY, artist text NOT NULL, album text NOT NULL, release_id int, tried_at timestamptz, writes int NOT NULL DEFAULT 0);
    CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.writes := OLD.writes + 1; RETURN NEW; END $$;
    CREATE TRIGGER albums_writes BEFORE UPDATE ON albums FOR EACH ROW EXECUTE FUNCTION count_write();
    DO $$ BEGIN IF to_regclass('backfill.runs') IS NOT NULL THEN DELETE FROM backfill.runs; END IF; END $$`);
});

/** Rows 1..n; row i asks album `A<i % distinct>`: each key shared by several rows, across batches. */
const fill = (n: number, distinct: number) =>
  db.sql`INSERT INTO albums (id, artist, album) SELECT g, 'Artist', 'A' || (g % ${distinct}::int) FROM generate_series(1, ${n}::int) g`;
const idOf = (album: string) => 5000 + Number(album.slice(1));
const direct = (album: string): [string, LmlScript] => [
  `Artist - ${album}`,
  { answer: { results: [{ artwork: { release_id: idOf(album) } }], search_type: 'direct' } },
];

/** The album lookup on eachBulk: a verdict per distinct (artist, album), K per request. */
function albumTask(url: string, size: number, events?: string[]): Task {
  const resolve = eachBulk<LmlItem, LmlReply>({
    size,
    itemOf: (r) => ({ artist: r.artist, album: r.album }),
    keyOf: (i) => `${i.artist} - ${i.album}`,
    ask: (items, ctx) => lmlClient({ url, apiKey: KEY, fetch: ctx.fetch }).bulkLookup(items),
    cacheable: (v) => v.outcome.kind !== 'transient',
    outcomeOf(_row, { outcome: o }): Outcome {
      if (o.kind === 'resolved') return outcome.write({ release_id: o.releaseId }, { label: 'resolved' });
      if (o.kind === 'transient') return outcome.pending(o.reason);
      if (o.kind === 'parked') return outcome.park(o.reason);
      return outcome.stamp(o.kind);
    },
  });
  return {
    name: 'albums-bulk',
    table: 'public.albums',
    key: 'id',
    pending: 't.release_id IS NULL',
    attempted: { column: 'tried_at', reaskAfterDays: 30 },
    limiter: fast,
    analyze: false,
    resolve: (rows: Row[], ctx: ResolveContext) => {
      events?.push(`resolve ${rows[0]!.id}-${rows.at(-1)!.id}`);
      return resolve(rows, ctx);
    },
  };
}

const run = (task: Task, extra: Partial<Parameters<typeof runTask>[1]> = {}) =>
  runTask(task, { sql: db.sql, log: captureLog(), batchSize: 10, backoffMs: 20, ...extra });
const asked = () =>
  lml!.requests.map((q) => (q.body as { items: { raw_message: string }[] }).items.map((i) => i.raw_message));
const table = async () =>
  (
    await db.sql<{ id: number; album: string; release_id: number | null; tried: boolean; writes: number }[]>`
      SELECT id, album, release_id, tried_at IS NOT NULL AS tried, writes FROM albums ORDER BY id`
  ).map((r) => ({ ...r }));

describe('eachBulk: bulk lookups with an in-run cache', () => {
  it('asks each distinct key once per run in requests of K, and maps every verdict back to each row asking it', async () => {
    const albums = Array.from({ length: 7 }, (_, i) => `A${i}`);
    await start([...albums.map(direct), ['Artist - A3', { answer: { results: [], search_type: 'direct' } }]]);
    await fill(40, 7); // 4 batches of 10; 7 keys, each in several batches
    const s = await run(albumTask(lml!.url, 3));
    const keys = asked();
    expect(keys.every((k) => k.length <= 3)).toBe(true);
    expect(keys.flat().sort()).toEqual(albums.map((a) => `Artist - ${a}`).sort()); // once each, in the whole run
    expect(s.outcomes).toEqual({ resolved: 40 - 6, no_match: 6 });
    for (const r of await table()) {
      expect(r.writes).toBe(1);
      expect(r.release_id).toBe(r.album === 'A3' ? null : idOf(r.album));
      expect(r.tried).toBe(true);
    }
  });

  it('a failed item leaves its rows pending, is not cached (asked again in the run), and the next run completes the rest; each row written once', async () => {
    // every item fails the first time it is asked, answers the second time
    await start([], { itemErrorRate: 1, tooManyRate: 0 });
    await fill(30, 15); // keys A0..A14: batch 1 (ids 1-10) and batch 2 (11-20) hold 10 distinct keys each, 5 shared
    const first = await run(albumTask(lml!.url, 4));
    const perKey = new Map<string, number>();
    for (const k of asked().flat()) perKey.set(k, (perKey.get(k) ?? 0) + 1);
    expect(Math.max(...perKey.values())).toBe(2); // a key that failed is asked again by a later batch, once
    const after1 = await table();
    expect(first.outcomes.transient).toBe(after1.filter((r) => r.writes === 0).length);
    expect(after1.filter((r) => r.writes === 0 && r.tried)).toEqual([]); // pending rows are not stamped
    const second = await run(albumTask(lml!.url, 4));
    expect(second.outcomes.transient ?? 0).toBe(0);
    expect((await table()).every((r) => r.writes === 1 && r.release_id !== null)).toBe(true);
  });

  it('a whole request answered 429 is retried by the limiter; one failing past its retries leaves only its own rows pending', async () => {
    await start([
      ['Artist - A1', { status: 429, times: 1 }],
      ['Artist - A7', { status: 503 }],
    ]);
    await fill(20, 10);
    const s = await run(albumTask(lml!.url, 2));
    const failed = asked().find((k) => k.includes('Artist - A7'))!;
    expect(failed).toHaveLength(2);
    const held = new Set(failed);
    const rows = await table();
    for (const r of rows) expect(r.writes).toBe(held.has(`Artist - ${r.album}`) ? 0 : 1);
    expect(s.outcomes.transient).toBe(rows.filter((r) => held.has(`Artist - ${r.album}`)).length);
    expect(lml!.requests.filter((q) => JSON.stringify(q.body).includes('Artist - A1"'))).toHaveLength(2);
  });
});

describe('the engine reads the next batch ahead while a batch commits', () => {
  it("resolves batch N+1 before batch N's commit ends, and never writes a row that commit changed", async () => {
    await start();
    await fill(30, 30);
    const events: string[] = [];
    const base = albumTask(lml!.url, 5, events);
    // batch 1's outcome for row 5 also settles row 15 (in batch 2, already read ahead): not written twice
    const task: Task = {
      ...base,
      resolve: async (rows, ctx) => {
        const outs = await (base.resolve as (r: Row[], c: ResolveContext) => Promise<Outcome[]>)(rows, ctx);
        return outs.map((o, i) =>
          rows[i]!.id === 5 && o.kind === 'write'
            ? { ...o, side: [{ op: 'update', table: 'public.albums', set: { release_id: 1 }, where: { id: [15] } }] }
            : o,
        );
      },
    };
    const s = await run(task, { onBatch: (b) => void events.push(`committed ${b.batch}`) });
    expect(events).toEqual([
      'resolve 1-10',
      'resolve 11-20',
      'committed 1',
      'resolve 21-30',
      'committed 2',
      'committed 3',
    ]); // row 15, changed by batch 1 after batch 2 read it, was not written by batch 2: revisited, no longer pending

    const rows = await table();
    expect(rows.find((r) => r.id === 15)).toMatchObject({ release_id: 1, writes: 1 });
    expect(rows.every((r) => r.writes === 1)).toBe(true);
    expect(s.skipped).toEqual([]);
  });

  it('a rows budget reads ahead no more than it may take; a time budget reads nothing ahead', async () => {
    await start();
    await fill(30, 30);
    const events: string[] = [];
    await run(albumTask(lml!.url, 5, events), { maxRows: 15 });
    expect(events).toEqual(['resolve 1-10', 'resolve 11-15']);
    events.length = 0;
    await db.sql`DELETE FROM backfill.runs`;
    await run(albumTask(lml!.url, 5, events), {
      maxMs: 60_000,
      onBatch: (b) => void events.push(`committed ${b.batch}`),
    });
    expect(events.slice(0, 4)).toEqual(['resolve 16-25', 'committed 1', 'resolve 26-30', 'committed 2']);
  });
});
