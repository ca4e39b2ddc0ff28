// The proofs of source-fed imports, each through the per-batch steps the engine runs (read a
// batch, then one transaction: writeStaged + saveCheckpoint): real MariaDB, real PostgreSQL, a
// local HTTP feed. Rows are counted: none imported twice, none lost.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { loadCheckpoint } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { LEGACY_FLOWSHEET_DDL, findMysqlServer, useLegacyDatabase } from '../../support/mysql.js';
import { gz, jsonl, serve, startFeedServer } from '../../support/feed-server.js';
import { importAll } from '../../support/source-import.js';
import { LEGACY_PLAYS_DDL, mysqlWindowImport } from './definitions/mysql-window-import.js';
import { FEED_PLAYS_DDL, feedRecords } from './definitions/jsonl-feed-import.js';

const db = useTestDatabase('empty');
const server = await findMysqlServer();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 3, 1);

async function failure(p: Promise<unknown>): Promise<JobError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JobError);
  return err as JobError;
}

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
    expect(await importAll(db.sql, def, { batchSize: 70 })).toEqual({ batches: 5, records: 300, written: 300 });
    const [n] = await db.sql`SELECT count(*)::int AS n, min(played_at) AS lo, max(played_at) AS hi FROM legacy_plays`;
    expect(n!.n).toBe(300);
    expect(n!.lo.getTime()).toBeGreaterThanOrEqual(T0 + 2 * DAY);
    expect(n!.hi.getTime()).toBeLessThan(T0 + 5 * DAY);
    expect((await db.sql`SELECT artist FROM legacy_plays WHERE legacy_id = 3`)[0]!.artist).toBe('Artist 3 — “é”');
    await db.sql`DELETE FROM backfill.source_checkpoints`;
    expect((await importAll(db.sql, def, { batchSize: 70 })).written).toBe(0);
    await db.sql`TRUNCATE legacy_plays`;
    await db.sql`DELETE FROM backfill.source_checkpoints`;
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
        const saved = await loadCheckpoint(db.sql, def.name).catch(() => null);
        if (saved?.records !== 400) {
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
    const err = await failure(importAll(db.sql, def, { batchSize: 200 }));
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
    expect((await loadCheckpoint(db.sql, def.name))?.checkpoint).toEqual({ after: [400] });

    const rerun = mysqlWindowImport(legacy.url, { from: new Date(T0), to: new Date(T0 + 9 * DAY) });
    expect(await importAll(db.sql, rerun, { batchSize: 200 })).toEqual({ batches: 3, records: 500, written: 500 });
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
      });
    const crashed = await child({ CRASH_AT: '4' });
    expect(crashed.signal).toBe('SIGKILL');
    // batches 1-3 committed with their checkpoint; batch 4's rows were written but never committed
    expect(await counts()).toEqual({ n: 2100, d: 2100 });
    expect((await loadCheckpoint(db.sql, 'feed-plays'))?.checkpoint).toEqual({ line: 2100, version: '"2026-04-01"' });

    const rerun = await child({});
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.out)).toEqual({ batches: 5, records: 2900, written: 2900 });
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
    expect((await child({})).out.trim()).toBe(JSON.stringify({ batches: 0, records: 0, written: 0 }));
  });
});
