// The built job as the image runs it: `node dist/job.js`, real signals, real exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedProdShape } from '@wxyc/fixtures';
import { loadState } from '@wxyc/backfill';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import { withDatabase } from '../../support/urls.js';
import { nullTrackRows, wrongNames } from './helpers.js';

const JOB = fileURLToPath(new URL('../../../jobs/backfills/flowsheet-dj-name-backfill/dist/job.js', import.meta.url));

interface Proc {
  child: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stdout has `n` lines matching `re`. */
  waitFor(re: RegExp, n?: number): Promise<void>;
}

function startJob(url: string, env: Record<string, string> = {}, args: string[] = []): Proc {
  const child = spawn(process.execPath, [JOB, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  const waiters: (() => void)[] = [];
  const collect = (into: string[]) => (chunk: Buffer) => {
    into.push(...chunk.toString().split('\n').filter(Boolean));
    waiters.forEach((w) => {
      w();
    });
  };
  child.stdout!.on('data', collect(out));
  child.stderr!.on('data', collect(err));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    out,
    err,
    exit,
    waitFor: (re, n = 1) =>
      new Promise<void>((resolve, reject) => {
        const check = () => out.filter((l) => re.test(l)).length >= n && resolve();
        waiters.push(check);
        void exit.then(() =>
          reject(new Error(`job exited before ${n} lines matching ${re}: ${[...out, ...err].join('\n')}`)),
        );
        check();
      }),
  };
}

const run = async (url: string, env: Record<string, string> = {}, args: string[] = []) => {
  const p = startJob(url, env, args);
  const { code } = await p.exit;
  return { code, out: p.out, err: p.err };
};

let seeded: TestDatabase;
/** The server's message of the migration that failed (drizzle wraps it in "Failed query: <the SQL>"). */
const migrateError = (url: string) =>
  migrateWithDrizzle(url).then(
    () => null,
    (e: Error & { cause?: Error }) => (e.cause ?? e).message,
  );
const copies: string[] = [];

/** A fresh copy of the seeded 0053 database (30k production-shaped rows). */
async function copy(): Promise<{ url: string; sql: Sql }> {
  const name = `wxyc_job_${randomBytes(5).toString('hex')}`;
  const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${seeded.name}`);
  } finally {
    await admin.end();
  }
  copies.push(name);
  const url = withDatabase(inject('pgAdminUrl'), name);
  return { url, sql: postgres(url, { max: 2, onnotice: () => {} }) };
}

describe('flowsheet-dj-name-backfill job process', () => {
  beforeAll(async () => {
    if (!existsSync(JOB)) throw new Error(`${JOB} is missing: run \`pnpm build\` before the tests (.ci/run does)`);
    seeded = await createTestDatabase('empty');
    await migrateWithDrizzle(seeded.url, { upTo: '0053' });
    await seedProdShape(seeded.sql, { rows: 30_000 });
    await seeded.sql`VACUUM ANALYZE`;
    await seeded.sql.end();
  });
  afterAll(async () => {
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    for (const name of copies) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await seeded?.drop();
  });

  it('rejects a bad BACKFILL_BATCH_SIZE with one clear line and exit 2, touching nothing', async () => {
    const db = await copy();
    const r = await run(db.url, { BACKFILL_BATCH_SIZE: '5k' });
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['[backfill] error: BACKFILL_BATCH_SIZE="5k" is invalid: expected a whole number >= 1.']);
    expect((await db.sql`SELECT to_regnamespace('backfill') AS s`)[0]!.s).toBeNull();
    await db.sql.end();
  });

  it('refuses a DB_STATEMENT_TIMEOUT_MS too small to run with, in one line, exit 2, touching nothing', async () => {
    const db = await copy();
    const r = await run(db.url, { DB_STATEMENT_TIMEOUT_MS: '2' });
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(
      /^\[backfill\] error: DB_STATEMENT_TIMEOUT_MS="2" is invalid for a backfill: expected a whole number >= 1000 /,
    );
    expect((await db.sql`SELECT to_regnamespace('backfill') AS s`)[0]!.s).toBeNull();
    await db.sql.end();
  });

  it('SIGKILL while a batch waits: the server ends the orphaned session within seconds, and a rerun right away proceeds', async () => {
    const db = await copy();
    const p = startJob(db.url, {
      BACKFILL_BATCH_SIZE: '500',
      BACKFILL_PAUSE_MS: '300',
      BACKFILL_TARGET_MS: '60000',
      BACKFILL_LOCK_TIMEOUT_MS: '60000',
    });
    await p.waitFor(/^\[backfill\] batch \d+: /, 2);
    const blocker = await db.sql.reserve();
    try {
      // the next batch queues behind this lock, so the job is killed in the middle of a statement
      await blocker`BEGIN`;
      await blocker`LOCK TABLE wxyc_schema.flowsheet IN ACCESS EXCLUSIVE MODE`;
      const waiting = async () =>
        (
          await db.sql<{ pid: number }[]>`
          SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'flowsheet-dj-name-backfill' AND wait_event_type = 'Lock'`
        )[0]?.pid;
      let pid: number | undefined;
      for (let i = 0; i < 100 && !pid; i++) {
        pid = await waiting();
        if (!pid) await new Promise((r) => setTimeout(r, 50));
      }
      expect(pid).toBeGreaterThan(0);
      p.child.kill('SIGKILL');
      await p.exit;
      const t0 = performance.now();
      let alive = true;
      while (alive && performance.now() - t0 < 5_000) {
        alive = (await db.sql`SELECT 1 FROM pg_stat_activity WHERE pid = ${pid!}`).length > 0;
        if (alive) await new Promise((r) => setTimeout(r, 100));
      }
      expect(alive).toBe(false); // gone while the lock it waited for is still held
    } finally {
      await blocker`ROLLBACK`;
      blocker.release();
    }
    const r = await run(db.url);
    expect(r.out[1]).toMatch(/^\[backfill\] resuming flowsheet-dj-name after key \d+ /);
    expect(r.code, r.out.join('\n')).toBe(0); // finished: the rows left NULL have no handle
    await db.sql.end();
  });

  it('dry run counts and plans and changes nothing', async () => {
    const db = await copy();
    const before = await nullTrackRows(db.sql);
    const r = await run(db.url, { BACKFILL_DRY_RUN: '1' });
    expect(r.code).toBe(0);
    expect(r.out.some((l) => l.startsWith(`[backfill] dry run: ${before} pending rows in wxyc_schema.flowsheet`))).toBe(
      true,
    );
    expect(await nullTrackRows(db.sql)).toBe(before);
    expect((await db.sql`SELECT to_regnamespace('backfill') AS s`)[0]!.s).toBeNull();
    await db.sql.end();
  });

  it('SIGKILL mid-run loses nothing: the saved cursor matches the data, and a second run finishes', async () => {
    const db = await copy();
    const p = startJob(db.url, { BACKFILL_BATCH_SIZE: '500', BACKFILL_PAUSE_MS: '150', BACKFILL_TARGET_MS: '60000' });
    await p.waitFor(/^\[backfill\] batch \d+: /, 3);
    p.child.kill('SIGKILL');
    expect((await p.exit).signal).toBe('SIGKILL');
    const state = (await loadState(db.sql, 'flowsheet-dj-name'))!;
    expect(state.status).toBe('running'); // killed: nobody wrote "interrupted"
    expect(state.cursor).toBeGreaterThanOrEqual(1500);
    const [split] = await db.sql<{ after: number; before: number }[]>`
      SELECT count(*) FILTER (WHERE id > ${state.cursor} AND dj_name IS NOT NULL)::int AS after,
             count(*) FILTER (WHERE id <= ${state.cursor} AND entry_type = 'track' AND dj_name IS NULL)::int AS before
      FROM wxyc_schema.flowsheet`;
    expect(split!.after).toBe(0);
    expect(split!.before).toBe(state.rowsUnresolved);

    const r = await run(db.url);
    expect(r.out[1]).toMatch(new RegExp(`^\\[backfill\\] resuming flowsheet-dj-name after key ${state.cursor} `));
    expect(r.code).toBe(0); // rows without show and shows without DJ have no handle: they do not count
    expect(await wrongNames(db.sql)).toBe(0);
    const done = (await loadState(db.sql, 'flowsheet-dj-name'))!;
    expect(done.rowsProcessed).toBe(26_400); // each track row exactly once over both runs
    await db.sql.end();
  });

  it('SIGTERM finishes the batch, exits 130 within 5 s and says how to resume', async () => {
    const db = await copy();
    const p = startJob(db.url, { BACKFILL_BATCH_SIZE: '500', BACKFILL_PAUSE_MS: '200', BACKFILL_TARGET_MS: '60000' });
    await p.waitFor(/^\[backfill\] batch \d+: /, 2);
    const t0 = performance.now();
    p.child.kill('SIGTERM');
    const { code } = await p.exit;
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(code).toBe(130);
    expect(p.out.at(-1)).toMatch(
      /^\[backfill\] stopped after \d+ rows \(position saved: id \d+\)\. To resume, run the same command again; to start over, add --reset\.$/,
    );
    expect((await loadState(db.sql, 'flowsheet-dj-name'))!.status).toBe('interrupted');
    await db.sql.end();
  });

  it("reports rows with no handle by reason with sample ids, exits 0, and 0061's dj_name guard then passes without a fallback", async () => {
    const db = await copy();
    const r = await run(db.url);
    expect(r.code, r.out.join('\n')).toBe(0);
    const lines = r.out.join('\n');
    expect(lines).toMatch(
      /\[backfill\] done: \d+ rows filled, \d+ rows have no handle and stay NULL, \d+ batches, elapsed \S+, \d+ rows\/s/,
    );
    expect(lines).toMatch(/\[backfill\] no handle \(show without handle\): \d+ rows, e\.g\. ids \d+/);
    expect(lines).toMatch(/\[backfill\] no handle \(no show\): 30 rows, e\.g\. ids 1000, 2000, 3000/);
    expect(r.out.at(-1)).toBe(
      "[backfill] check: 0 track rows have dj_name IS NULL and a handle to fill; 0061's dj_name guard passes",
    );
    expect(await nullTrackRows(db.sql)).toBeGreaterThan(30);
    expect(await migrateError(db.url)).toMatch(/^flowsheet\.search_doc_new backfill incomplete/); // the dj_name guard passed
    await db.sql.end();
  });

  it('exits 11 while rows with a handle are still NULL: a row held by another session the whole time', async () => {
    const db = await copy();
    const holder = postgres(db.url, { max: 1, onnotice: () => {} });
    const [held] = await db.sql<{ id: number }[]>`
      SELECT f.id FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id
      WHERE f.entry_type = 'track' AND s.legacy_dj_name IS NOT NULL ORDER BY f.id DESC LIMIT 1`;
    let release!: () => void;
    const holding = holder.begin(async (tx) => {
      await tx`SELECT 1 FROM wxyc_schema.flowsheet WHERE id = ${held!.id} FOR UPDATE`;
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const r = await run(db.url, { BACKFILL_LOCK_TIMEOUT_MS: '50' });
      expect(r.code, r.out.join('\n')).toBe(11);
      expect(r.out.join('\n')).toMatch(/still locked by another session, left pending: 1 rows, e\.g\. ids \d+/);
      expect(r.out.at(-1)).toMatch(
        /^\[backfill\] check: 1 track rows have dj_name IS NULL and a handle to fill; 0061's dj_name guard will still refuse\. Run the job again/,
      );
    } finally {
      release();
      await holding;
      await holder.end();
    }
    // After the holder is gone (0059's concurrent index build would wait for its transaction):
    // the row is still NULL, so 0061's dj_name guard refuses.
    expect(await migrateError(db.url)).toMatch(/^flowsheet\.dj_name backfill incomplete/);
    await db.sql.end();
  });

  it('--refresh: the dry run counts by reason and writes nothing; the run re-resolves them and exits 0', async () => {
    const db = await copy();
    expect((await run(db.url)).code).toBe(0);
    const [u] = await db.sql<{ id: string; name: string }[]>`
      SELECT u.id, u.name FROM auth_user u JOIN wxyc_schema.shows s ON s.primary_dj_id = u.id LIMIT 1`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'Anonymous' WHERE id IN (SELECT id FROM wxyc_schema.flowsheet WHERE dj_name IS NOT NULL ORDER BY id LIMIT 7)`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Stale' WHERE id IN (SELECT id FROM wxyc_schema.flowsheet WHERE dj_name IS NOT NULL AND dj_name <> 'Anonymous' ORDER BY id LIMIT 5)`;
    await db.sql`UPDATE wxyc_schema.flowsheet f SET dj_name = ${u!.name}
      WHERE f.id IN (SELECT f2.id FROM wxyc_schema.flowsheet f2 JOIN wxyc_schema.shows s ON s.id = f2.show_id WHERE s.primary_dj_id = ${u!.id} ORDER BY f2.id DESC LIMIT 3)`;
    const dry = await run(db.url, { BACKFILL_DRY_RUN: '1' }, ['--refresh']);
    expect(dry.code, dry.err.join('\n')).toBe(0);
    const lines = dry.out.join('\n');
    expect(lines).toContain('[backfill] refresh would change 15 rows');
    expect(lines).toMatch(/\[backfill\] would change \(anonymous\): 7 rows, e\.g\. ids \d+/);
    expect(lines).toMatch(/\[backfill\] would change \(handle changed\): 5 rows/);
    expect(lines).toMatch(/\[backfill\] would change \(real name\): 3 rows/);
    expect(await wrongNames(db.sql)).toBe(15);

    const r = await run(db.url, {}, ['--refresh']);
    expect(r.code, r.out.join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(/\[backfill\] done: 15 rows re-resolved by the DJ-name rule/);
    expect(r.out.at(-1)).toBe('[backfill] check: every stored dj_name is what the DJ-name rule gives now');
    expect(await wrongNames(db.sql)).toBe(0);
    expect((await loadState(db.sql, 'flowsheet-dj-name-refresh'))!.status).toBe('done');
    await db.sql.end();
  });

  it('--refresh with a fallback is refused with one line, exit 2', async () => {
    const db = await copy();
    const r = await run(db.url, { BACKFILL_UNRESOLVED_FALLBACK: 'Unknown DJ' }, ['--refresh']);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^\[backfill\] error: BACKFILL_UNRESOLVED_FALLBACK cannot be used with --refresh/);
    await db.sql.end();
  });

  it('with BACKFILL_UNRESOLVED_FALLBACK every track row gets a name, it exits 0, and 0061 then passes its dj_name guard', async () => {
    const db = await copy();
    const r = await run(db.url, { BACKFILL_UNRESOLVED_FALLBACK: 'Unknown DJ' });
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe(
      "[backfill] check: 0 track rows have dj_name IS NULL and a handle to fill; 0061's dj_name guard passes",
    );
    expect(r.out.join('\n')).toMatch(/rows filled \(\d+ with the fallback name\)/);
    // 0054-0060 apply; 0061 now waits only for the search_doc backfill
    expect(await migrateError(db.url)).toMatch(/^flowsheet\.search_doc_new backfill incomplete/);
    expect(await nullTrackRows(db.sql)).toBe(0);
    await db.sql.end();
  });
});
