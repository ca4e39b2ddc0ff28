// The proofs of source-fed tasks run by the engine (runTask: read a batch from the source, then one
// transaction: the staged write and the state row with the checkpoint): real MariaDB, real
// PostgreSQL, a local HTTP feed, a literal list. Rows are counted: none imported twice, none lost.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '@wxyc/job-runtime';
import { literalSource, loadState, runTask, type Checkpoint, type RecordSource, type SourceTask } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { LEGACY_FLOWSHEET_DDL, findMysqlServer, useLegacyDatabase } from '../../support/mysql.js';
import { gz, jsonl, serve, startFeedServer } from '../../support/feed-server.js';
import { captureLog } from './helpers.js';
import { LEGACY_PLAYS_DDL, mysqlWindowImport } from './definitions/mysql-window-import.js';
import { FEED_PLAYS_DDL, feedRecords } from './definitions/jsonl-feed-import.js';
import { failure } from '../../support/job-failure.js';

const db = useTestDatabase('empty');
const server = await findMysqlServer();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 3, 1);

const run = (task: SourceTask, extra: Partial<Parameters<typeof runTask>[1]> = {}) =>
  runTask(task, { sql: db.sql, log: captureLog(), batchSize: 100, backoffMs: 20, ...extra });

describe.skipIf(!server)('import from MySQL over a date window', () => {
  beforeAll(async () => {
    // 900 plays over 9 days, 100 a day; ids interleave days so the window is not an id range
    const rows = Array.from({ length: 900 }, (_, i) => [
      i + 1,
      `Artist ${i + 1} — “é”`,
      `Song '${i}'`,
      T0 + (i % 9) * DAY + i * 1000,
    ]);
    await legacy.conn.query(
      'INSERT INTO `FLOWSHEET_ENTRY_PROD` (`ID`, `ARTIST_NAME`, `SONG_TITLE`, `TIME_CREATED`) VALUES ?',
      [rows],
    );
    await db.sql.unsafe(LEGACY_PLAYS_DDL);
  });

  it('imports exactly the window, each row once; a rerun changes nothing (no-churn merge)', async () => {
    const def = mysqlWindowImport(legacy.url, { from: new Date(T0 + 2 * DAY), to: new Date(T0 + 5 * DAY) });
    const first = await run(def, { batchSize: 70 });
    expect({ batches: first.batches, rows: first.rowsProcessed, tables: first.tables }).toEqual({
      batches: 5,
      rows: 300,
      tables: { legacy_plays: { inserted: 300, updated: 0, unchanged: 0, deleted: 0 } },
    });
    expect(first.outcomes).toEqual({ imported: 300 });
    const [n] = await db.sql`SELECT count(*)::int AS n, min(played_at) AS lo, max(played_at) AS hi FROM legacy_plays`;
    expect(n!.n).toBe(300);
    expect(n!.lo.getTime()).toBeGreaterThanOrEqual(T0 + 2 * DAY);
    expect(n!.hi.getTime()).toBeLessThan(T0 + 5 * DAY);
    expect((await db.sql`SELECT artist FROM legacy_plays WHERE legacy_id = 3`)[0]!.artist).toBe('Artist 3 — “é”');
    // done: a run reads only what came after the checkpoint (nothing); --reset reads it all again
    const after = await run(def, { batchSize: 70 });
    expect({ rows: after.rowsProcessed, tables: after.tables }).toEqual({ rows: 0, tables: {} });
    const again = await run(def, { batchSize: 70, reset: true });
    expect(again.tables).toEqual({ legacy_plays: { inserted: 0, updated: 0, unchanged: 300, deleted: 0 } });
    await db.sql`TRUNCATE legacy_plays`;
    await db.sql`DELETE FROM backfill.runs`;
  });

  it('the MySQL connection killed mid-page: one line, that batch not committed, the rerun resumes at the checkpoint', async () => {
    // the third page sleeps 20 ms a row (the where clause) so it can be killed while it runs
    const slow = { sql: 'SLEEP(IF(`ID` > ? AND `ID` <= ?, 0.02, 0)) = 0', params: [400, 600] };
    const def = mysqlWindowImport(legacy.url, { from: new Date(T0), to: new Date(T0 + 9 * DAY) }, slow);
    const killer = await mysql.createConnection({ uri: legacy.url });
    let killed = false;
    const watch = (async () => {
      for (let i = 0; i < 3000 && !killed; i++) {
        // only once two batches are committed: the kill is of the third page's read
        const saved = await loadState(db.sql, def.name).catch(() => null);
        if (saved?.rowsProcessed !== 400) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const [rows] = await killer.query<mysql.RowDataPacket[]>(
          "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SLEEP(IF%' AND INFO NOT LIKE '%PROCESSLIST%'",
        );
        if (rows[0]) {
          await killer.query('KILL CONNECTION ?', [rows[0].ID]);
          killed = true;
        } else await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const err = await failure(run(def, { batchSize: 200 }));
    await watch;
    await killer.end();
    expect(killed).toBe(true);
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(
      /^source mysql mysql:\/\/root@[\d.:]+\/legacy_test_\w+ \(`FLOWSHEET_ENTRY_PROD`\): lost the connection to legacy MySQL at .*Committed batches are kept/,
    );
    // pages of 200: ids 1-400 committed (2 batches), the killed third page nothing
    expect((await db.sql`SELECT count(*)::int AS n, max(legacy_id) AS m FROM legacy_plays`)[0]).toEqual({
      n: 400,
      m: 400,
    });
    const failed = await loadState(db.sql, def.name);
    expect({ status: failed?.status, checkpoint: failed?.checkpoint }).toEqual({
      status: 'failed',
      checkpoint: { after: [400] },
    });

    const rerun = mysqlWindowImport(legacy.url, { from: new Date(T0), to: new Date(T0 + 9 * DAY) });
    const s = await run(rerun, { batchSize: 200 });
    expect({ rows: s.rowsProcessed, batches: s.batches, this: s.tables.legacy_plays?.inserted }).toEqual({
      rows: 900,
      batches: 5,
      this: 500,
    });
    expect((await db.sql`SELECT count(*)::int AS n, count(DISTINCT legacy_id)::int AS d FROM legacy_plays`)[0]).toEqual(
      { n: 900, d: 900 },
    );
  });
});

describe('import from a JSONL.gz feed over HTTP', () => {
  const records = feedRecords(5000);
  let feed: Awaited<ReturnType<typeof startFeedServer>>;
  beforeAll(async () => {
    feed = await startFeedServer({ '/plays.jsonl.gz': serve(gz(jsonl(records)), '"2026-04-01"') });
    await db.sql.unsafe(FEED_PLAYS_DDL);
  });
  afterAll(() => feed.stop());

  const counts = async () =>
    (await db.sql`SELECT count(*)::int AS n, count(DISTINCT feed_id)::int AS d FROM feed_plays`)[0];

  it('a crash mid-run (the process SIGKILLed inside a batch): the rerun resumes at the checkpoint, 0 twice, 0 lost', async () => {
    // batch 4's first record stalls its INSERT (a trigger sleeps), so the process dies with that transaction open
    const stallId = records[2100]!.id;
    await db.sql.unsafe(`
      CREATE FUNCTION stall_feed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.feed_id = ${stallId} THEN PERFORM pg_sleep(120); END IF; RETURN NEW; END $$`);
    await db.sql`CREATE TRIGGER stall BEFORE INSERT ON feed_plays FOR EACH ROW EXECUTE FUNCTION stall_feed()`;
    const child = (env: Record<string, string>) =>
      new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
        const p = spawn(
          process.execPath,
          ['--import', 'tsx', fileURLToPath(new URL('../../support/source-import-child.ts', import.meta.url))],
          {
            env: {
              PATH: process.env.PATH,
              DATABASE_URL: db.url,
              FEED_URL: `${feed.base}/plays.jsonl.gz`,
              BATCH_SIZE: '700',
              ...env,
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let out = '';
        p.stdout.on('data', (c: Buffer) => (out += c.toString()));
        p.on('exit', (code, signal) => resolve({ code, signal, out }));
        if (env.KILL_WHEN_STALLED) void killWhenStalled(p);
      });
    const sleeping = () => db.sql<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`;
    const killWhenStalled = async (p: ReturnType<typeof spawn>) => {
      while (p.exitCode === null && (await sleeping()).length === 0) await new Promise((r) => setTimeout(r, 20));
      p.kill('SIGKILL');
    };
    const crashed = await child({ KILL_WHEN_STALLED: '1' });
    expect(crashed.signal).toBe('SIGKILL');
    // the server ends the dead client's backend (here at once): its open transaction rolls back
    for (const { pid } of await sleeping()) await db.sql`SELECT pg_terminate_backend(${pid})`;
    await db.sql`DROP TRIGGER stall ON feed_plays`;
    // batches 1-3 committed with their checkpoint; batch 4's rows were written but never committed
    expect(await counts()).toEqual({ n: 2100, d: 2100 });
    expect((await loadState(db.sql, 'feed-plays'))?.checkpoint).toEqual({ line: 2100, version: '"2026-04-01"' });

    const rerun = await child({});
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.out)).toEqual({
      rowsProcessed: 5000,
      tables: { feed_plays: { inserted: 2900, updated: 0, unchanged: 0, deleted: 0 } },
      interrupted: false,
    });
    expect(await counts()).toEqual({ n: 5000, d: 5000 });
    // values as sent: the ids above 2^53, the zoned times, the quotes
    const [r] =
      await db.sql`SELECT feed_id::text AS id, artist, played_at, meta FROM feed_plays WHERE feed_id = ${String(2n ** 60n + 4998n)}::bigint`;
    expect({ ...r, played_at: r!.played_at.toISOString() }).toEqual({
      id: records[4998]!.id,
      artist: records[4998]!.artist,
      played_at: '2026-04-04T15:18:00.000Z',
      meta: null,
    });
    expect((await db.sql`SELECT meta FROM feed_plays WHERE feed_id = ${records[4997]!.id}::bigint`)[0]!.meta).toEqual({
      n: 4997,
      tags: ['a', 'b'],
    });
    expect((await db.sql`SELECT count(*)::int AS n FROM feed_plays WHERE meta IS NULL`)[0]!.n).toBe(1667);
    // a run after the end reads nothing more
    expect(JSON.parse((await child({})).out)).toEqual({ rowsProcessed: 0, tables: {}, interrupted: false });
  });
});

describe('a source task in the engine', () => {
  const ids = Array.from({ length: 500 }, (_, i) => ({ id: i + 1, name: `name ${i + 1}` }));
  const task = (source: RecordSource, name = 'list-import'): SourceTask => ({
    name,
    source,
    staged: {
      table: 'listed',
      columns: [
        { name: 'id', type: 'int' },
        { name: 'name', type: 'text' },
      ],
      key: ['id'],
      write: 'INSERT INTO listed (id, name) SELECT id, name FROM staged',
    },
  });
  /** The list, its opens recorded; on the `at`-th read it ends the batch session (the lock holder) before returning. */
  function killingSource(at: number) {
    const opens: Checkpoint[] = [];
    let reads = 0;
    const inner = literalSource('ids', ids);
    const source: RecordSource = {
      name: inner.name,
      async open(cp, o) {
        opens.push(cp);
        const r = await inner.open(cp, o);
        return {
          async next(n) {
            const b = await r.next(n);
            if (++reads === at) {
              await db.sql`SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`;
            }
            return b;
          },
          close: () => r.close(),
        };
      },
    };
    return { source, opens };
  }
  beforeAll(async () => {
    // no unique key: a record written twice shows as two rows
    await db.sql`CREATE TABLE listed (id int NOT NULL, name text NOT NULL)`;
  });

  it('the session killed between read and commit: reconnects, reopens the reader at the committed checkpoint; 0 twice, 0 lost', async () => {
    const k = killingSource(3);
    const log = captureLog();
    const s = await run(task(k.source), { log });
    expect(k.opens).toEqual([null, { offset: 200 }]);
    expect(s.tables).toEqual({ listed: { inserted: 500, updated: 0, unchanged: 0, deleted: 0 } });
    expect((await db.sql`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM listed`)[0]).toEqual({
      n: 500,
      d: 500,
    });
    const saved = await loadState(db.sql, 'list-import');
    expect({ status: saved?.status, checkpoint: saved?.checkpoint, rows: saved?.rowsProcessed }).toEqual({
      status: 'done',
      checkpoint: { offset: 500 },
      rows: 500,
    });
    expect(s.analyzed).toEqual(['listed']);
    await db.sql`TRUNCATE listed`;
  });

  it('a per-run budget (cron tick): stops at it with the checkpoint saved; the next tick resumes there', async () => {
    const t = task(literalSource('ids', ids), 'list-budget');
    const first = await run(t, { maxRows: 250 });
    expect({
      reached: first.budgetReached,
      rows: first.rowsProcessed,
      inserted: first.tables.listed?.inserted,
    }).toEqual({
      reached: true,
      rows: 250,
      inserted: 250,
    });
    const saved = await loadState(db.sql, 'list-budget');
    expect({ status: saved?.status, checkpoint: saved?.checkpoint }).toEqual({
      status: 'budget',
      checkpoint: { offset: 250 },
    });
    const second = await run(t, { maxRows: 1000 });
    expect({
      reached: second.budgetReached,
      rows: second.rowsProcessed,
      inserted: second.tables.listed?.inserted,
    }).toEqual({
      reached: false,
      rows: 500,
      inserted: 250,
    });
    expect((await db.sql`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM listed`)[0]).toEqual({
      n: 500,
      d: 500,
    });
    await db.sql`TRUNCATE listed`;
  });

  it('DRY_RUN: every batch written and rolled back, counts and a preview, nothing saved', async () => {
    const s = await run(task(literalSource('ids', ids), 'list-dry'), { dryRun: true });
    expect(s.tables).toEqual({ listed: { inserted: 500, updated: 0, unchanged: 0, deleted: 0 } });
    expect(s.preview[0]).toBe('batch 1: 100 records; listed +100 inserted, 0 updated, 0 deleted, 0 unchanged');
    expect((await db.sql`SELECT count(*)::int AS n FROM listed`)[0]!.n).toBe(0);
    expect(await loadState(db.sql, 'list-dry')).toBeNull();
  });

  it('a refused record fails the run with its one line; the rerun after the fix resumes at the committed batch', async () => {
    await db.sql`CREATE UNIQUE INDEX listed_id ON listed (id)`;
    await db.sql`INSERT INTO listed VALUES (250, 'already here')`;
    const err = await failure(run(task(literalSource('ids', ids), 'list-refused')));
    expect(err.exitCode).toBe(EXIT.FAILED);
    expect(err.message).toMatch(
      /^import list-refused: record id=250 \(50 of a batch of 100\) was refused: duplicate key value/,
    );
    const saved = await loadState(db.sql, 'list-refused');
    expect({ status: saved?.status, checkpoint: saved?.checkpoint }).toEqual({
      status: 'failed',
      checkpoint: { offset: 200 },
    });
    expect((await db.sql`SELECT count(*)::int AS n FROM listed`)[0]!.n).toBe(201);
    await db.sql`DELETE FROM listed WHERE name = 'already here'`;
    const s = await run(task(literalSource('ids', ids), 'list-refused'));
    expect(s.tables.listed?.inserted).toBe(300);
    expect((await db.sql`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM listed`)[0]).toEqual({
      n: 500,
      d: 500,
    });
  });
});
