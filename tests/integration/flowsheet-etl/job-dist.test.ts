// The job as it runs in its container: `node jobs/flowsheet-etl/dist/job.js` against real databases.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@wxyc/local-postgres';
import { createTestDatabase, useTestDatabase } from '../../support/test-database.js';
import { dumpText, writeMalformedDump } from '../../support/legacy/dump-writer.js';
import {
  findMysqlServer,
  LEGACY_FLOWSHEET_DDL,
  LEGACY_FLOWSHEET_SEED,
  useLegacyDatabase,
} from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow } from '../../support/legacy/flowsheet-rows.js';
import { ensureJobBuilt, runJobProcess, startJob } from '../../support/legacy/job-dist.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL, LEGACY_FLOWSHEET_SEED]);
let job = '';
const env = () => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url });
const cronRow = async () =>
  (await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`)[0];

beforeAll(() => {
  job = ensureJobBuilt('jobs/flowsheet-etl', '@wxyc/job-flowsheet-etl');
}, 180_000);

describe('flowsheet-etl dist: configuration errors', () => {
  it('missing DATABASE_URL: one line, exit 2', async () => {
    const r = await runJobProcess(job, [], {});
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      '[flowsheet-etl] error: DATABASE_URL is not set: it must be a postgres:// URL of the WXYC database.',
    ]);
  });

  it('missing LEGACY_DATABASE_URL: one line naming it, exit 2', async () => {
    const r = await runJobProcess(job, [], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      '[flowsheet-etl] error: LEGACY_DATABASE_URL is not set: it must be a mysql:// URL of the legacy database.',
    ]);
  });

  it('a bad ETL_BATCH_SIZE: one line, exit 2', async () => {
    const r = await runJobProcess(job, [], {
      DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
      LEGACY_DATABASE_URL: 'mysql://x@127.0.0.1:1/x',
      ETL_BATCH_SIZE: 'lots',
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ETL_BATCH_SIZE="lots" is invalid');
  });
});

describe('flowsheet-etl dist: bulk mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsheet-dist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a dump: exit 0; a malformed dump: exit 1 with its line, one line on stderr', async () => {
    const target = await createTestDatabase();
    try {
      const good = join(dir, 'good.sql');
      const shows = Array.from({ length: 250 }, (_, i) => legacyShow(i + 1));
      writeFileSync(
        good,
        dumpText(LEGACY_FLOWSHEET_DDL, {
          FLOWSHEET_RADIO_SHOW_PROD: shows,
          FLOWSHEET_ENTRY_PROD: [legacyEntry(1, 1), legacyEntry(2, 2)],
        }),
      );
      const ok = await runJobProcess(job, [good], { DATABASE_URL: target.url });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('[flowsheet-etl] Resolved dj_name for 2/2 flowsheet entries.');

      const badFile = join(dir, 'bad.sql');
      const bad = writeMalformedDump(badFile, shows);
      const failed = await runJobProcess(job, [badFile], { DATABASE_URL: target.url });
      expect(failed.code).toBe(1);
      expect(failed.stderr.trim().split('\n')).toEqual([
        expect.stringContaining(`[flowsheet-etl] error: ${badFile} line ${bad.line}: expected , or )`),
      ]);
    } finally {
      await target.drop();
    }
  });
});

describe.skipIf(!server)('flowsheet-etl dist against MariaDB and PostgreSQL', () => {
  it('unreachable PostgreSQL: exit 3, one line naming it, password masked', async () => {
    const port = await freePort();
    const r = await runJobProcess(job, [], {
      DATABASE_URL: `postgres://u:secret@127.0.0.1:${port}/x`,
      LEGACY_DATABASE_URL: legacy.url,
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`PostgreSQL at postgres://u:***@127.0.0.1:${port}/x is unreachable`);
    expect(r.stderr).not.toContain('secret');
  });

  it('unreachable MySQL: exit 3, one line, watermark untouched', async () => {
    await db.sql`INSERT INTO wxyc_schema.cronjob_runs (job_name, last_run, cursor)
      VALUES ('flowsheet-etl', '2026-01-01T00:00:00Z', '{"shows":{"maxId":0,"maxModified":null},"entries":{"maxId":0,"maxModified":null}}')`;
    const before = await cronRow();
    const port = await freePort();
    const r = await runJobProcess(job, [], {
      DATABASE_URL: db.url,
      LEGACY_DATABASE_URL: `mysql://root:secret@127.0.0.1:${port}/legacy`,
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[flowsheet-etl\\] error: legacy MySQL at mysql://root:\\*\\*\\*@127\\.0\\.0\\.1:${port}/legacy is unreachable`,
        ),
      ),
    ]);
    expect(await cronRow()).toEqual(before);
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet`)[0]!.n).toBe(0);
  });

  it('imports the seed: exit 0, rows in PostgreSQL, the resolution line', async () => {
    const r = await runJobProcess(job, [], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[flowsheet-etl] Resolved dj_name for 8/8 flowsheet entries.');
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE dj_name IS NOT NULL`)[0]!.n).toBe(
      8,
    );
    expect((await cronRow())!.cursor.entries.maxId).toBe(8);
  });

  it('skips while another session holds the tick lock: the holder pid, exit 0, nothing touched', async () => {
    const holder = await db.sql.reserve();
    try {
      const { pid } = (
        await holder`SELECT pg_backend_pid() AS pid, pg_advisory_lock(hashtextextended('wxyc-job:flowsheet-etl', 0))`
      )[0]!;
      const before = await cronRow();
      const r = await runJobProcess(job, [], env());
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^\\[flowsheet-etl\\] previous tick still running \\(pid ${pid} since \\d{4}-\\d\\d-\\d\\dT[^)]+\\); skipping\\.$`,
          'm',
        ),
      );
      expect(await cronRow()).toEqual(before);
    } finally {
      await holder`SELECT pg_advisory_unlock_all()`;
      holder.release();
    }
  });

  it('two ticks started together: one imports, the other skips; everything imported once', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(10)]);
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      Array.from({ length: 6000 }, (_, i) => legacyEntry(100 + i, 10)),
    );
    const slow = { ...env(), ETL_BATCH_SIZE: '50' }; // ~120 transactions: long enough to overlap
    const [a, b] = await Promise.all([runJobProcess(job, [], slow), runJobProcess(job, [], slow)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const skipped = [a, b].filter((r) =>
      /previous tick still running \(pid \d+ since [^)]+\); skipping\./.test(r.stdout),
    );
    expect(skipped).toHaveLength(1);
    const ran = a === skipped[0] ? b : a;
    expect(ran.stdout).toContain('Resolved dj_name for 6000/6000 flowsheet entries.');
    expect(
      (
        await db.sql`SELECT count(*)::int AS n, count(DISTINCT legacy_entry_id)::int AS d FROM wxyc_schema.flowsheet`
      )[0],
    ).toEqual({ n: 6008, d: 6008 });
  });

  it('SIGTERM: stops after the batch in progress, exit 130, the next tick finishes the work', async () => {
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      Array.from({ length: 20_000 }, (_, i) => legacyEntry(10_000 + i, 10)),
    );
    const p = startJob(job, [], { ...env(), ETL_BATCH_SIZE: '20' });
    // Wait until some batches have committed, then ask it to stop.
    for (let i = 0; i < 800 && (await cronRow())!.cursor.entries.maxId < 10_000; i++)
      await new Promise((r) => setTimeout(r, 25));
    p.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGTERM received');
    const mid = (await cronRow())!.cursor.entries.maxId as number;
    const { n } = (
      await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= 10000`
    )[0]!;
    expect(mid).toBeGreaterThanOrEqual(10_000);
    expect(mid).toBeLessThan(29_999);
    expect(n).toBe(mid - 10_000 + 1); // exactly the committed batches, cursor in step with them

    const rest = await runJobProcess(job, [], env());
    expect(rest.code, rest.stderr).toBe(0);
    expect(
      (await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= 10000`)[0]!.n,
    ).toBe(20_000);
  });
});
