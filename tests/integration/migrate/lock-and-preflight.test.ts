import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { MIGRATE_EXIT, MIGRATE_LOCK_KEY } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrationsDir, runRunner, useScratch, waitFor } from '../../support/migrate-runner.js';
import { withDatabase } from '../../support/urls.js';

const scratch = useScratch();
const database = () => scratch.database();
/** A session of another application, on its own connection. */
const session = scratch.session;

const flowsheet = migrationsDir([
  {
    tag: '0000_schema',
    sql: 'CREATE SCHEMA wxyc_schema;--> statement-breakpoint\nCREATE TABLE wxyc_schema.flowsheet (id int);',
  },
  { tag: '0001_other', sql: 'CREATE TABLE public.other (id int);' },
]);
const step2 = migrationsDir([
  {
    tag: '0000_schema',
    sql: 'CREATE SCHEMA wxyc_schema;--> statement-breakpoint\nCREATE TABLE wxyc_schema.flowsheet (id int);',
  },
  { tag: '0001_other', sql: 'CREATE TABLE public.other (id int);' },
  { tag: '0002_col', sql: 'ALTER TABLE wxyc_schema.flowsheet ADD COLUMN dj_name text;' },
]);
const applied = async (db: TestDatabase) =>
  Number((await db.sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)[0]!.n);

describe('one runner at a time', () => {
  it('a second runner waits MIGRATE_LOCK_WAIT, then exits naming the holder', async () => {
    const db = await database();
    const holder = session(db.url, 'other-runner');
    const pid = (
      await holder<{ pid: number }[]>`SELECT pg_backend_pid() AS pid, pg_advisory_lock(${MIGRATE_LOCK_KEY})`
    )[0]!.pid;
    const started = Date.now();
    const r = await runRunner(db.url, { dir: flowsheet, env: { MIGRATE_LOCK_WAIT: '1' } });
    expect(r.code).toBe(MIGRATE_EXIT.LOCK_BUSY);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.output).toMatch(
      new RegExp(`holds the migration lock: pid ${pid} \\(application_name 'other-runner', connected since \\d{4}-`),
    );
    expect(r.output).toContain('waited 1s (MIGRATE_LOCK_WAIT)');
    expect((await db.sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS none`)[0]!.none).toBe(true);
    await holder`SELECT pg_advisory_unlock(${MIGRATE_LOCK_KEY})`;
  });

  it('a signal while waiting for the lock ends the wait at once', async () => {
    const db = await database();
    const holder = session(db.url, 'other-runner');
    await holder`SELECT pg_advisory_lock(${MIGRATE_LOCK_KEY})`;
    const stop = new AbortController();
    const started = Date.now();
    const run = runRunner(db.url, { dir: flowsheet, env: { MIGRATE_LOCK_WAIT: '60' }, signal: stop.signal });
    setTimeout(() => stop.abort('SIGTERM'), 300);
    const r = await run;
    expect(r.code).toBe(MIGRATE_EXIT.INTERRUPTED);
    expect(r.output).toContain('interrupted while waiting for the migration lock');
    expect(Date.now() - started).toBeLessThan(20_000); // vs MIGRATE_LOCK_WAIT=60: generous for a loaded machine
    await holder`SELECT pg_advisory_unlock(${MIGRATE_LOCK_KEY})`;
  });

  it('two runners started together apply every migration exactly once', async () => {
    const db = await database();
    const slow = migrationsDir([
      { tag: '0000_a', sql: 'CREATE TABLE a (id int);--> statement-breakpoint\nSELECT pg_sleep(0.5);' },
      { tag: '0001_b', sql: 'CREATE TABLE b (id int);' },
    ]);
    const [one, two] = await Promise.all([runRunner(db.url, { dir: slow }), runRunner(db.url, { dir: slow })]);
    expect([one.code, two.code]).toEqual([0, 0]);
    const rows = await db.sql<{ created_at: string; n: number }[]>`
      SELECT created_at::text, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY 1 ORDER BY 1`;
    expect(rows.map((r) => r.n)).toEqual([1, 1]);
    // One of them applied both, the other waited and found nothing to do.
    expect([one.output, two.output].filter((o) => o.includes('applied 2 migration(s)'))).toHaveLength(1);
    expect([one.output, two.output].filter((o) => o.includes('database is up to date'))).toHaveLength(1);
  });
});

describe('pre-flight', () => {
  it('refuses while another backend holds ACCESS EXCLUSIVE on a wxyc_schema relation, naming it, even with wxyc_schema on search_path', async () => {
    const db = await database();
    expect((await runRunner(db.url, { dir: flowsheet })).code).toBe(0);
    // With the schema on search_path, ::regclass prints just "flowsheet": matching must use the namespace.
    await db.sql.unsafe(`ALTER DATABASE ${db.name} SET search_path = wxyc_schema, public`);
    const locker = session(db.url, 'psql-operator');
    const pid = (await locker<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    const reserved = await locker.reserve();
    await reserved`BEGIN`;
    await reserved`LOCK TABLE wxyc_schema.flowsheet IN ACCESS EXCLUSIVE MODE`;
    try {
      const r = await runRunner(db.url, { dir: step2 });
      expect(r.code).toBe(MIGRATE_EXIT.PREFLIGHT_REFUSED);
      expect(r.output).toContain('pre-flight refused: nothing was applied');
      expect(r.output).toMatch(
        new RegExp(
          `pid ${pid}, age \\d+s: holds AccessExclusiveLock on wxyc_schema.flowsheet \\(application_name 'psql-operator', state idle in transaction\\); query: "LOCK TABLE wxyc_schema.flowsheet IN ACCESS EXCLUSIVE MODE"`,
        ),
      );
      // Idle in a transaction: cancelling does nothing to it, terminating ends its locks.
      expect(r.output).toContain(
        `SELECT pg_terminate_backend(${pid}) (it is idle in transaction: pg_cancel_backend does nothing to it)`,
      );
      expect(r.output).not.toContain(`pg_cancel_backend(${pid})`);
      expect(await applied(db)).toBe(2);
    } finally {
      await reserved`ROLLBACK`;
      reserved.release();
    }
    const after = await runRunner(db.url, { dir: step2 });
    expect(after.code, after.output).toBe(0);
    expect(await applied(db)).toBe(3);
  });

  it('ignores ACCESS EXCLUSIVE locks outside wxyc_schema, and in another database whose relation has the same oid', async () => {
    // Both databases are copies of one template, so wxyc_schema.flowsheet has the same oid in each:
    // only the pg_locks.database filter tells the other database's lock apart.
    const template = await database();
    expect((await runRunner(template.url, { dir: flowsheet })).code).toBe(0);
    await template.sql.end();
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    const copies = [`${template.name}_a`, `${template.name}_b`];
    for (const name of copies) await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template.name}`);
    const [mine, theirs] = copies.map((name) => withDatabase(template.url, name));
    const lockers = [session(mine!, 'public-locker'), session(theirs!, 'other-db-locker')];
    const held = await Promise.all(lockers.map((l) => l.reserve()));
    await held[0]!`BEGIN`;
    await held[0]!`LOCK TABLE public.other IN ACCESS EXCLUSIVE MODE`;
    await held[1]!`BEGIN`;
    await held[1]!`LOCK TABLE wxyc_schema.flowsheet IN ACCESS EXCLUSIVE MODE`;
    try {
      const r = await runRunner(mine!, { dir: step2 });
      expect(r.code, r.output).toBe(0);
      // The same lock in this database is refused (the control case of this test).
      const refused = await runRunner(theirs!, { dir: step2 });
      expect(refused.code).toBe(MIGRATE_EXIT.PREFLIGHT_REFUSED);
    } finally {
      for (const h of held) {
        await h`ROLLBACK`;
        h.release();
      }
      await Promise.all(lockers.map((l) => l.end()));
      for (const name of copies) await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('refuses while a backend left by an earlier migrate run is still active', async () => {
    const db = await database();
    expect((await runRunner(db.url, { dir: flowsheet })).code).toBe(0);
    const leftover = session(db.url, 'wxyc-migrate');
    const sleeping = leftover`SELECT pg_sleep(30)`.catch(() => {});
    await waitFor(
      async () =>
        (await db.sql`SELECT 1 FROM pg_stat_activity WHERE application_name = 'wxyc-migrate' AND state = 'active'`)
          .length > 0,
      5000,
      'the leftover backend',
    );
    const pid = (
      await db.sql<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE application_name = 'wxyc-migrate'`
    )[0]!.pid;
    try {
      const r = await runRunner(db.url, { dir: step2 });
      expect(r.code).toBe(MIGRATE_EXIT.PREFLIGHT_REFUSED);
      expect(r.output).toMatch(
        new RegExp(
          `pid ${pid}, age \\d+s: a backend of an earlier migrate run \\(application_name 'wxyc-migrate'\\) is still active; query: "SELECT pg_sleep\\(30\\)"`,
        ),
      );
      expect(await applied(db)).toBe(2);
      const dry = await runRunner(db.url, { dir: step2, mode: 'dry-run' });
      expect(dry.code).toBe(MIGRATE_EXIT.PREFLIGHT_REFUSED);
    } finally {
      await db.sql`SELECT pg_cancel_backend(${pid})`;
      await sleeping;
    }
  });

  it('--dry-run prints what would be applied and changes nothing', async () => {
    const db = await database();
    expect((await runRunner(db.url, { dir: flowsheet })).code).toBe(0);
    const r = await runRunner(db.url, { dir: step2, mode: 'dry-run' });
    expect(r.code).toBe(0);
    expect(r.output).toContain('would apply 1: 0002_col');
    expect(await applied(db)).toBe(2);
  });
});
