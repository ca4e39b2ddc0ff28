// The flowsheet-search-doc-backfill job as the image runs it (built dist/job.js, real process):
// one-line refusals, kill -9 mid-run then a rerun that finishes each row once, SIGTERM, and
// "nothing to do" once 0061 has switched.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadState } from '@wxyc/backfill';
import { MIGRATIONS_DIR, migrateWithDrizzle, searchDocSql } from '@wxyc/database';
import { seedProdShape } from '@wxyc/fixtures';
import { useTestDatabase } from '../../support/test-database.js';
import { runRunner } from '../../support/migrate-runner.js';

const JOB = fileURLToPath(
  new URL('../../../jobs/backfills/flowsheet-search-doc-backfill/dist/job.js', import.meta.url),
);
const ROWS = 6000;
const db = useTestDatabase('empty');

function start(env: Record<string, string> = {}, args: string[] = []) {
  const child = spawn(process.execPath, [JOB, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, exit, out: () => out, err: () => err };
}
const run = async (env: Record<string, string> = {}, args: string[] = []) => {
  const p = start(env, args);
  const { code } = await p.exit;
  return { code, out: p.out().trim().split('\n'), err: p.err().trim() };
};
const until = async (check: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
};
const nulls = async () =>
  (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE search_doc_new IS NULL`)[0]!
    .n;

describe('flowsheet-search-doc-backfill job process', () => {
  beforeAll(async () => {
    if (!existsSync(JOB)) throw new Error(`${JOB} is missing: run \`pnpm build\` before the tests (.ci/run does)`);
    await migrateWithDrizzle(db.url, { upTo: '0053' });
    await seedProdShape(db.sql, { rows: ROWS });
  }, 60_000);

  it('before 0054 it refuses in one line, exit 1; an unknown argument or a fallback setting is exit 2', async () => {
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/search_doc_new does not exist: deploy up to migration 0054 first, then run this job\.$/);
    expect(r.err.split('\n')).toHaveLength(1);
    const bad = await run({}, ['--all']);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')).toHaveLength(1);
    const fb = await run({ BACKFILL_UNRESOLVED_FALLBACK: 'x' });
    expect(fb.code).toBe(2);
    expect(fb.err).toContain('BACKFILL_UNRESOLVED_FALLBACK is not a setting of this job');
  });

  it('kill -9 mid-run loses nothing; the rerun resumes and fills each row once, equal to the expression', async () => {
    await migrateWithDrizzle(db.url, { upTo: '0059' });
    const p = start({ BACKFILL_BATCH_SIZE: '500', BACKFILL_PAUSE_MS: '150', BACKFILL_TARGET_MS: '60000' });
    await until(() => (p.out().match(/\[backfill\] batch \d+: /g) ?? []).length >= 3);
    p.child.kill('SIGKILL');
    expect((await p.exit).signal).toBe('SIGKILL');
    const state = (await loadState(db.sql, 'flowsheet-search-doc'))!;
    expect(state.cursor).toBeGreaterThanOrEqual(1500);
    const [split] = await db.sql<{ after: number; before: number }[]>`
      SELECT count(*) FILTER (WHERE id > ${state.cursor} AND search_doc_new IS NOT NULL)::int AS after,
             count(*) FILTER (WHERE id <= ${state.cursor} AND search_doc_new IS NULL)::int AS before
      FROM wxyc_schema.flowsheet`;
    expect(split).toEqual({ after: 0, before: 0 });

    const r = await run();
    expect(r.code, r.err).toBe(0);
    expect(r.out[1]).toMatch(new RegExp(`^\\[backfill\\] resuming flowsheet-search-doc after key ${state.cursor} `));
    expect(r.out.at(-1)).toBe(
      '[backfill] check: 0 rows have search_doc_new IS NULL; migration 0061 can now apply (once the dj_name backfill is done too)',
    );
    expect((await loadState(db.sql, 'flowsheet-search-doc'))!.rowsProcessed).toBe(ROWS);
    expect(await nulls()).toBe(0);
    const [bad] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM wxyc_schema.flowsheet f WHERE f.search_doc_new IS DISTINCT FROM (${db.sql.unsafe(searchDocSql('f'))})`;
    expect(bad!.n).toBe(0);
  }, 60_000);

  it('after the switch (0061) it has nothing to do and exits 0', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Test' WHERE entry_type = 'track' AND dj_name IS NULL`;
    const m = await runRunner(db.url, { dir: MIGRATIONS_DIR });
    expect(m.code, m.output).toBe(0);
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe(
      '[backfill] check: migration 0061 has already switched search_doc in (the trigger owns it): nothing to do',
    );
  }, 60_000);
});
