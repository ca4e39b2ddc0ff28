// The progress lines of the built job (`node dist/job.js`) are true at the end (issue #27
// items 13 and 14): the ANALYZE line names its real basis on a never-analyzed table, an empty
// run says "nothing pending" instead of "ETA ~?", and "remaining" reaches 0 when the walk is done
// even when another session filled rows counted at start.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import { addShowWithTracks, nullTrackRows } from './helpers.js';

const JOB = fileURLToPath(new URL('../../../jobs/backfills/flowsheet-dj-name-backfill/dist/job.js', import.meta.url));

/** Runs the job; `onLine` sees each stdout line as it arrives. */
function run(url: string, env: Record<string, string> = {}, onLine: (line: string) => unknown = () => {}) {
  const child = spawn(process.execPath, [JOB], {
    env: { PATH: process.env.PATH, DATABASE_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  let rest = '';
  child.stdout.on('data', (c: Buffer) => {
    const parts = (rest + c.toString()).split('\n');
    rest = parts.pop()!;
    for (const l of parts.filter(Boolean)) {
      out.push(l);
      onLine(l);
    }
  });
  child.stderr.on('data', (c: Buffer) => err.push(...c.toString().split('\n').filter(Boolean)));
  return new Promise<{ code: number | null; out: string[]; err: string[] }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

/** A database at 0053 with `shows` shows of `per` track rows each, every show with a handle; never analyzed. */
async function database(shows: number, per: number): Promise<TestDatabase> {
  const db = await createTestDatabase('empty');
  await migrateWithDrizzle(db.url, { upTo: '0053' });
  // autovacuum off: the table stays never analyzed (reltuples -1), as a freshly loaded one is
  await db.sql`ALTER TABLE wxyc_schema.flowsheet SET (autovacuum_enabled = false)`;
  for (let i = 0; i < shows; i++) await addShowWithTracks(db.sql, `DJ Handle ${i}`, per);
  return db;
}

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

describe('backfill progress lines, in the job process', () => {
  beforeAll(() => {
    if (!existsSync(JOB)) throw new Error(`${JOB} is missing: run \`pnpm build\` before the tests (.ci/run does)`);
  });

  it('ANALYZE on a never-analyzed table says so instead of "~1 rows"; an empty run says "nothing pending", not "ETA ~?"', async () => {
    const db = await database(4, 300);
    dbs.push(db);
    const [before] = await db.sql<
      { n: number }[]
    >`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'wxyc_schema.flowsheet'::regclass`;
    expect(before!.n).toBe(-1); // never analyzed

    const first = await run(db.url);
    expect(first.code, [...first.out, ...first.err].join('\n')).toBe(0);
    const analyze = first.out.filter((l) => l.includes('ANALYZE wxyc_schema.flowsheet'));
    expect(analyze).toEqual([
      '[backfill] ANALYZE wxyc_schema.flowsheet: this run changed 1200 rows; the table had never been analyzed',
    ]);

    const second = await run(db.url);
    expect(second.code, [...second.out, ...second.err].join('\n')).toBe(0);
    const batches = second.out.filter((l) => / batch \d+: /.test(l));
    expect(batches.length).toBeGreaterThan(0);
    for (const l of batches)
      expect(l).toMatch(/^\[backfill\] batch \d+: 0 rows, total processed 0, remaining 0, nothing pending$/);
    expect(second.out.join('\n')).not.toContain('ETA ~?');
  });

  it('"remaining" reaches 0 at done when another session filled rows counted at start', async () => {
    const db = await database(6, 100);
    dbs.push(db);
    const pending = await nullTrackRows(db.sql);
    // Order by events, not time: the writer holds a table lock that stalls the job's first batch,
    // waits for the job's count line, names the last 150 rows itself and only then lets the job go on.
    const writer = await db.sql.reserve();
    await writer`BEGIN`;
    await writer`LOCK TABLE wxyc_schema.flowsheet IN SHARE ROW EXCLUSIVE MODE`;
    let released: Promise<void> | null = null;
    const r = await run(db.url, { BACKFILL_BATCH_SIZE: '100', BACKFILL_LOCK_TIMEOUT_MS: '60000' }, (l) => {
      if (released || !l.includes(`${pending} pending rows`)) return;
      released = (async () => {
        await writer`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Handle 5' WHERE id IN (SELECT id FROM wxyc_schema.flowsheet ORDER BY id DESC LIMIT 150)`;
        await writer`COMMIT`;
        writer.release();
      })();
    });
    await released;
    expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
    const progress = r.out.filter((l) => /remaining \d+/.test(l));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.slice(0, -1).every((l) => / batch \d+: /.test(l))).toBe(true);
    expect(progress.at(-1)).toBe(
      `[backfill] walk done: total processed ${pending - 150}, remaining 0 (150 rows counted at start were no longer pending when the walk reached them: written or deleted by another session)`,
    );
  });
});
