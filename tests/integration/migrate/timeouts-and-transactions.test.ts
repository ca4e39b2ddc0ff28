import { describe, expect, it } from 'vitest';
import { MIGRATE_EXIT } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrationsDir, runRunner, useScratch, waitFor } from '../../support/migrate-runner.js';

const scratch = useScratch();
const database = () => scratch.database();

const tagsApplied = async (db: TestDatabase) =>
  (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)[0]!.n;
const exists = async (db: TestDatabase, rel: string) =>
  (await db.sql`SELECT to_regclass(${rel}) IS NOT NULL AS ok`)[0]!.ok as boolean;

const base = {
  tag: '0000_t',
  sql: 'CREATE TABLE t (id int);\n--> statement-breakpoint\nINSERT INTO t VALUES (1), (1), (2);',
};

describe('session settings', () => {
  it('runs every migration with the guarded settings, and SET LOCAL does not leak into the next migration', async () => {
    const db = await database();
    const assert = (name: string, want: string) => `
DO $$ BEGIN
  IF current_setting('${name}') <> '${want}' THEN
    RAISE EXCEPTION '${name} is %', current_setting('${name}');
  END IF;
END $$;`;
    const dir = migrationsDir([
      {
        tag: '0000_long',
        sql:
          "SET LOCAL statement_timeout = '30min';\n--> statement-breakpoint\n" + assert('statement_timeout', '30min'),
      },
      {
        tag: '0001_defaults',
        sql: [
          assert('statement_timeout', '5min'),
          assert('lock_timeout', '2s'),
          assert('idle_in_transaction_session_timeout', '1min'),
          assert('client_connection_check_interval', '2s'),
          assert('application_name', 'wxyc-migrate'),
        ].join('\n--> statement-breakpoint\n'),
      },
    ]);
    const r = await runRunner(db.url, { dir, env: { MIGRATE_LOCK_WAIT: '60' } });
    expect(r.code, r.output).toBe(0);
    expect(await tagsApplied(db)).toBe(2);
  });

  it('a statement running past MIGRATE_STATEMENT_TIMEOUT fails the migration and says how to opt in', async () => {
    const db = await database();
    const dir = migrationsDir([
      base,
      { tag: '0001_slow', sql: 'CREATE TABLE u (id int);\n--> statement-breakpoint\nSELECT pg_sleep(3);' },
    ]);
    const r = await runRunner(db.url, { dir, env: { MIGRATE_STATEMENT_TIMEOUT: '300ms' } });
    expect(r.code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    expect(r.output).toContain(
      '0001_slow.sql, line 3 (statement 2 of 2): canceling statement due to statement timeout [SQLSTATE 57014]',
    );
    expect(r.output).toContain(
      'statement_timeout is 300ms (MIGRATE_STATEMENT_TIMEOUT); a migration that needs longer opts in with SET LOCAL statement_timeout',
    );
    expect(await exists(db, 'public.u')).toBe(false);
    expect(await tagsApplied(db)).toBe(1);
  });
});

describe('lock_timeout and retries', () => {
  async function blocker(db: TestDatabase) {
    const sql = scratch.session(db.url, 'busy-app');
    const tx = await sql.reserve();
    const pid = (await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    await tx`BEGIN`;
    await tx`SELECT * FROM t`; // ACCESS SHARE, held until the transaction ends
    return { pid, release: async () => (await tx`ROLLBACK`, tx.release()) };
  }
  const alter = {
    tag: '0001_alter',
    sql: 'CREATE TABLE v (id int);\n--> statement-breakpoint\nALTER TABLE t ADD COLUMN note text;',
  };

  it('gives up after MIGRATE_LOCK_RETRIES attempts with its own exit code, naming the blocking pid each time', async () => {
    const db = await database();
    expect((await runRunner(db.url, { dir: migrationsDir([base]) })).code).toBe(0);
    const b = await blocker(db);
    try {
      const r = await runRunner(db.url, {
        dir: migrationsDir([base, alter]),
        env: { MIGRATE_LOCK_TIMEOUT: '400ms', MIGRATE_LOCK_RETRIES: '3' },
      });
      expect(r.code).toBe(MIGRATE_EXIT.LOCK_TIMEOUT);
      for (const attempt of [1, 2]) {
        expect(r.output).toMatch(
          new RegExp(
            `0001_alter.sql line 3: lock_timeout \\(400ms\\) on attempt ${attempt}/3, blocked by pid ${b.pid} \\('busy-app', idle in transaction: "SELECT \\* FROM t"\\); rolled back, retrying in \\d+ ms`,
          ),
        );
      }
      expect(r.output).toContain(
        `lock_timeout (400ms) on all 3 attempts (MIGRATE_LOCK_RETRIES); last blocked by pid ${b.pid}`,
      );
      expect(await exists(db, 'public.v')).toBe(false); // the whole migration rolled back
    } finally {
      await b.release();
    }
  });

  it('succeeds on a later attempt once the blocker is gone', async () => {
    const db = await database();
    expect((await runRunner(db.url, { dir: migrationsDir([base]) })).code).toBe(0);
    const b = await blocker(db);
    const run = runRunner(db.url, {
      dir: migrationsDir([base, alter]),
      env: {
        MIGRATE_LOCK_TIMEOUT: '300ms',
        MIGRATE_LOCK_RETRIES: '20',
        MIGRATE_RETRY_BASE_MS: '200',
        MIGRATE_RETRY_CAP_MS: '400',
      },
    });
    await waitFor(
      async () =>
        (
          await db.sql`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'wxyc-migrate'`
        ).length > 0,
      5000,
      'the runner to wait for its lock',
    );
    await new Promise((r) => setTimeout(r, 600)); // past the first attempt's 300ms lock_timeout
    await b.release();
    const r = await run;
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('on attempt 1/20');
    expect(await exists(db, 'public.v')).toBe(true);
  });
});

describe('one transaction per migration', () => {
  it('keeps what committed before the failure and reports file, line, SQLSTATE, detail and hint without the password', async () => {
    const db = await database();
    // A role whose password is distinctive, so finding it in the output would mean a leak.
    const password = 'Pw-7f3kq9-secret';
    await db.sql.unsafe(`CREATE ROLE runner_pw LOGIN SUPERUSER PASSWORD '${password}'`);
    const url = new URL(db.url);
    url.username = 'runner_pw';
    url.password = password;
    const failing = `-- a comment line
CREATE TABLE w (id int);
--> statement-breakpoint
DO $$
BEGIN
  RAISE EXCEPTION 'guard says no' USING DETAIL = '3 rows are bad', HINT = 'run the backfill first';
END $$;`;
    const dir = migrationsDir([
      base,
      { tag: '0001_guarded', sql: failing },
      { tag: '0002_after', sql: 'CREATE TABLE x (id int);' },
    ]);
    const r = await runRunner(url.toString(), { dir });
    expect(r.code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    expect(r.output).toContain('runner_pw:***@');
    expect(r.output).toContain(
      'migration failed: 0001_guarded.sql, line 4 (statement 2 of 2): guard says no [SQLSTATE P0001]',
    );
    expect(r.output).toContain('  detail: 3 rows are bad');
    expect(r.output).toContain('  hint: run the backfill first');
    expect(r.output).toContain('0001_guarded was rolled back; migrations before it stay committed');
    expect(r.output).not.toContain(password);
    expect(r.output).not.toMatch(/\n\s+at /); // no stack
    expect(await exists(db, 'public.t')).toBe(true);
    expect(await exists(db, 'public.w')).toBe(false);
    expect(await exists(db, 'public.x')).toBe(false);
    expect(await tagsApplied(db)).toBe(1);
  });

  it('points at the line of a syntax error inside a multi-line statement', async () => {
    const db = await database();
    const dir = migrationsDir([{ tag: '0000_typo', sql: 'CREATE TABLE y (\n  id int,\n  name txet\n);' }]);
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    expect(r.output).toContain('0000_typo.sql, line 3 (statement 1 of 1): type "txet" does not exist [SQLSTATE 42704]');
  });
});

describe('-- migrate:no-transaction', () => {
  it('builds an index CONCURRENTLY; a failed build leaves an INVALID index that the next run drops and rebuilds', async () => {
    const db = await database();
    const cic = {
      tag: '0001_unique',
      sql: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id_key ON t (id);',
    };
    const dir = migrationsDir([base, cic]);
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    expect(r.output).toContain(
      '0001_unique.sql, line 2 (statement 1 of 1): could not create unique index "t_id_key" [SQLSTATE 23505]',
    );
    expect(r.output).toContain('it left the INVALID index public.t_id_key; the next run drops and rebuilds it');
    const valid = async () =>
      (await db.sql`SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.t_id_key'::regclass`)[0]!.indisvalid;
    expect(await valid()).toBe(false);

    await db.sql`DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t WHERE id = 1)`;
    const again = await runRunner(db.url, { dir });
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(
      '0001_unique: dropped INVALID index public.t_id_key left by an earlier failed run; rebuilding it',
    );
    expect(await valid()).toBe(true);
    expect(await tagsApplied(db)).toBe(2);
  });

  it('a file with the marker and more than one statement is a bad journal', async () => {
    const db = await database();
    const dir = migrationsDir([
      {
        tag: '0000_two',
        sql: '-- migrate:no-transaction\nCREATE TABLE z (id int);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY z_id ON z (id);',
      },
    ]);
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(MIGRATE_EXIT.BAD_JOURNAL);
    expect(r.output).toContain('must hold exactly one statement, found 2');
  });
});

describe('a lost session', () => {
  it('stops instead of going on without the migration lock when its connection was dropped', async () => {
    const db = await database();
    expect((await runRunner(db.url, { dir: migrationsDir([base]) })).code).toBe(0);
    const holder = scratch.session(db.url, 'busy-app');
    const tx = await holder.reserve();
    await tx`BEGIN`;
    await tx`SELECT * FROM t`;
    const run = runRunner(db.url, {
      dir: migrationsDir([base, { tag: '0001_alter', sql: 'ALTER TABLE t ADD COLUMN note text;' }]),
      env: { MIGRATE_LOCK_TIMEOUT: '200ms', MIGRATE_RETRY_BASE_MS: '3000', MIGRATE_RETRY_CAP_MS: '3000' },
    });
    // After its first lock_timeout the runner rolls back and sleeps: drop its connection then.
    await waitFor(
      async () =>
        (
          await db.sql`SELECT 1 FROM pg_stat_activity WHERE application_name = 'wxyc-migrate' AND wait_event_type = 'Lock'`
        ).length > 0,
      5000,
      'the first lock wait',
    );
    await waitFor(
      async () =>
        (await db.sql`SELECT 1 FROM pg_stat_activity WHERE application_name = 'wxyc-migrate' AND state = 'idle'`)
          .length > 0,
      5000,
      'the backoff sleep',
    );
    await db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wxyc-migrate'`;
    await tx`ROLLBACK`;
    tx.release();
    const r = await run;
    expect(r.code, r.output).toBe(MIGRATE_EXIT.CONNECTION_LOST);
    expect(r.output).toMatch(
      /lost the database connection \(backend \d+\) and with it the migration lock \(the server ended the session: terminating connection due to administrator command \[SQLSTATE 57P01\]\); nothing more was applied/,
    );
    expect(await tagsApplied(db)).toBe(1);
  });
});
