// The real `node dev_env/init-db.mjs` process: signals, exit codes, seeding.
import { describe, expect, it } from 'vitest';
import { MIGRATE_EXIT, MIGRATIONS_DIR } from '@wxyc/database';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { migrationsDir, spawnRunner, waitFor } from '../../support/migrate-runner.js';

const db = useTestDatabase('empty');
const sleeper = migrationsDir([
  { tag: '0000_a', sql: 'CREATE TABLE a (id int);' },
  { tag: '0001_sleep', sql: 'CREATE TABLE s (id int);\n--> statement-breakpoint\nSELECT pg_sleep(600);' },
]);

const runnerBackends = async (d: TestDatabase) =>
  d.sql<
    { pid: number }[]
  >`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'wxyc-migrate%' AND datname = current_database()`;
const sleeping = async (d: TestDatabase) =>
  (await d.sql`SELECT 1 FROM pg_stat_activity WHERE application_name = 'wxyc-migrate' AND wait_event = 'PgSleep'`)
    .length > 0;
const recordedCount = async (d: TestDatabase) =>
  (await d.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)[0]!.n;

describe('dying well', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s cancels the running statement on the server, rolls back and exits non-zero within 10 s, leaving no backend',
    async (sig) => {
      await db.sql`DROP TABLE IF EXISTS a, s`;
      await db.sql`DROP SCHEMA IF EXISTS drizzle CASCADE`;
      const run = spawnRunner(db.url, { dir: sleeper });
      await waitFor(() => sleeping(db), 15_000, 'the runner to reach pg_sleep');
      const sent = Date.now();
      run.child.kill(sig);
      const { code } = await run.exited;
      const tookMs = Date.now() - sent;
      expect(tookMs).toBeLessThan(10_000);
      expect(code, run.output()).toBe(MIGRATE_EXIT.INTERRUPTED);
      expect(run.output()).toContain(
        `interrupted by ${sig} during 0001_sleep.sql line 3 (its statement was cancelled on the server)`,
      );
      await waitFor(async () => (await runnerBackends(db)).length === 0, 2000, 'the runner backends to go');
      expect(await recordedCount(db)).toBe(1);
      expect((await db.sql`SELECT to_regclass('public.s') IS NULL AS gone`)[0]!.gone).toBe(true);
      console.log(`[runner] ${sig}: process gone ${tookMs} ms after the signal`);
    },
    30_000,
  );

  it('after SIGKILL of the process, its server backend is gone within 15 s', async () => {
    await db.sql`DROP TABLE IF EXISTS a, s`;
    await db.sql`DROP SCHEMA IF EXISTS drizzle CASCADE`;
    const run = spawnRunner(db.url, { dir: sleeper });
    await waitFor(() => sleeping(db), 15_000, 'the runner to reach pg_sleep');
    const [backend] = await db.sql<
      { pid: number }[]
    >`SELECT pid FROM pg_stat_activity WHERE application_name = 'wxyc-migrate'`;
    run.child.kill('SIGKILL');
    await run.exited;
    const goneMs = await waitFor(
      async () => (await db.sql`SELECT 1 FROM pg_stat_activity WHERE pid = ${backend!.pid}`).length === 0,
      15_000,
      "the killed runner's backend to end",
    );
    console.log(`[runner] SIGKILL: server backend gone ${goneMs} ms after the kill`);
    expect((await db.sql`SELECT to_regclass('public.s') IS NULL AS gone`)[0]!.gone).toBe(true);
  }, 30_000);
});

describe('the process', () => {
  it('exits 2 with usage on an unknown argument', async () => {
    const run = spawnRunner(db.url, { dir: sleeper, args: ['--frobnicate'] });
    expect((await run.exited).code).toBe(MIGRATE_EXIT.CONFIG);
    expect(run.output()).toContain(
      '[migrate] error: unknown argument "--frobnicate"; usage: node dev_env/init-db.mjs [--status] [--dry-run] [--seed] (--help for details)',
    );
  });

  it('exits 3 when the database is unreachable, without printing the password', async () => {
    const run = spawnRunner('postgres://someone:Pw-unreachable-9@127.0.0.1:1/x', { dir: sleeper });
    expect((await run.exited).code).toBe(MIGRATE_EXIT.UNREACHABLE);
    expect(run.output()).toContain('[migrate] error: connect ECONNREFUSED 127.0.0.1:1');
    expect(run.output()).toContain('postgres://someone:***@127.0.0.1:1/x');
    expect(run.output()).not.toContain('Pw-unreachable-9');
  });

  it('prints a failed migration as one report with its exit code, and no stack', async () => {
    await db.sql`DROP SCHEMA IF EXISTS drizzle CASCADE`;
    const dir = migrationsDir([
      { tag: '0000_bad', sql: 'CREATE TABLE q (id int);\n--> statement-breakpoint\nALTER TABLE q ADD COLUMN id int;' },
    ]);
    const run = spawnRunner(db.url, { dir });
    expect((await run.exited).code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    expect(run.output()).toContain(
      '[migrate] error: migration failed: 0000_bad.sql, line 3 (statement 2 of 2): column "id" of relation "q" already exists [SQLSTATE 42701]',
    );
    expect(run.output()).not.toMatch(/\n\s+at /);
  });

  it.each([['1'], ['TRUE'], ['yes'], [undefined]])(
    'never seeds without --seed (SKIP_SEED=%s)',
    async (skip) => {
      const d = await createTestDatabase('empty');
      const run = spawnRunner(d.url, { dir: MIGRATIONS_DIR, env: skip === undefined ? {} : { SKIP_SEED: skip } });
      expect((await run.exited).code, run.output()).toBe(0);
      expect((await d.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM auth_user`)[0]!.n).toBe(0);
      expect((await d.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM wxyc_schema.genres`)[0]!.n).toBe(0);
      if (skip !== undefined)
        expect(run.output()).toContain('SKIP_SEED is no longer read: the runner seeds only when given --seed');
      expect(run.output()).not.toContain('seeding');
      await d.drop();
    },
    60_000,
  );

  it('seeds the dev data after the migrations with --seed, idempotently', async () => {
    const d = await createTestDatabase('empty');
    for (let i = 0; i < 2; i++) {
      const run = spawnRunner(d.url, { dir: MIGRATIONS_DIR, args: ['--seed'] });
      expect((await run.exited).code, run.output()).toBe(0);
      expect(run.output()).toContain('seeding dev data from');
    }
    expect((await d.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM auth_user`)[0]!.n).toBe(1);
    expect((await d.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM wxyc_schema.genres`)[0]!.n).toBe(2);
    await d.drop();
  }, 60_000);
});
