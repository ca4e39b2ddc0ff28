// What the runner says when something is off: a dry run predicts the real run's exit code,
// a lock on the bookkeeping table or on a leftover index names its holder and the right way to
// end it, prepared transactions are named by gid, files the journal does not list are
// reported, and a journal `when` edited after the fact is not taken for "never applied".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATE_EXIT } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrationsDir, runRunner, useScratch } from '../../support/migrate-runner.js';

const scratch = useScratch();
const applied = async (db: TestDatabase) =>
  (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)[0]!.n;

/** A session of "another application" that holds `lockSql` in an open transaction, idle. */
async function holder(db: TestDatabase, lockSql: string) {
  const tx = await scratch.session(db.url, 'busy-app').reserve();
  const pid = (await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
  await tx`BEGIN`;
  await tx.unsafe(lockSql);
  return {
    pid,
    async release() {
      await tx`ROLLBACK`;
      tx.release();
    },
  };
}

describe('--dry-run', () => {
  it('with MIGRATE_STRICT_HASHES=1 and a drifted file exits 16 like the real run, instead of "would apply"', async () => {
    const db = await scratch.database();
    const first = [{ tag: '0000_a', sql: 'CREATE TABLE a (id int);', when: 1_700_000_000_000 }];
    expect((await runRunner(db.url, { dir: migrationsDir(first) })).code).toBe(0);
    const dir = migrationsDir([
      { ...first[0]!, sql: 'CREATE TABLE a (id bigint);' },
      { tag: '0001_b', sql: 'CREATE TABLE b (id int);', when: 1_700_000_001_000 },
    ]);
    const env = { MIGRATE_STRICT_HASHES: '1' };
    const dry = await runRunner(db.url, { dir, mode: 'dry-run', env });
    const real = await runRunner(db.url, { dir, env });
    expect(real.code).toBe(MIGRATE_EXIT.HASH_DRIFT);
    expect(dry.code, dry.output).toBe(MIGRATE_EXIT.HASH_DRIFT);
    expect(dry.output).not.toContain('would apply');
    expect(await applied(db)).toBe(1);
  });
});

describe('a journal "when" edited after the migration was applied', () => {
  it('is refused as a bad journal (exit 12) naming both values, not applied again as "never applied"', async () => {
    const db = await scratch.database();
    const m = { tag: '0000_a', sql: 'CREATE TABLE a (id int);', when: 1_700_000_000_000 };
    expect((await runRunner(db.url, { dir: migrationsDir([m]) })).code).toBe(0);
    const dir = migrationsDir([{ ...m, when: m.when + 1 }]);
    const r = await runRunner(db.url, { dir });
    expect(r.code, r.output).toBe(MIGRATE_EXIT.BAD_JOURNAL);
    expect(r.output).toContain(
      `0000_a: its journal "when" is ${m.when + 1}, but this very file (same sha256) was applied with created_at ${m.when}`,
    );
    expect(r.output).toContain(`Restore "when": ${m.when} for 0000_a in meta/_journal.json`);
    const status = await runRunner(db.url, { dir, mode: 'status' });
    expect(status.output).toContain(
      `when-moved (applied with created_at ${m.when}, journal says ${m.when + 1})  0000_a`,
    );
    expect(await applied(db)).toBe(1);
  });
});

describe('an .sql file with no journal entry', () => {
  it('is reported by the run and by --status', async () => {
    const db = await scratch.database();
    const dir = migrationsDir([{ tag: '0000_a', sql: 'CREATE TABLE a (id int);' }]);
    writeFileSync(join(dir, '0001_forgotten.sql'), 'CREATE TABLE forgotten (id int);');
    for (const mode of ['apply', 'status'] as const) {
      const r = await runRunner(db.url, { dir, mode });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(
        'warning: 0001_forgotten.sql has no entry in meta/_journal.json, so it is never applied',
      );
    }
  });
});

describe('lock_timeout outside the migration statements', () => {
  it('on reading drizzle.__drizzle_migrations names the holder and tells to terminate an idle one (exit 15)', async () => {
    const db = await scratch.database();
    const dir = migrationsDir([{ tag: '0000_a', sql: 'CREATE TABLE a (id int);' }]);
    expect((await runRunner(db.url, { dir })).code).toBe(0);
    const h = await holder(db, 'LOCK TABLE drizzle.__drizzle_migrations IN ACCESS EXCLUSIVE MODE');
    const r = await runRunner(db.url, { dir, env: { MIGRATE_LOCK_TIMEOUT: '200ms' } });
    await h.release();
    expect(r.code, r.output).toBe(MIGRATE_EXIT.LOCK_TIMEOUT);
    expect(r.output).toContain(
      `drizzle.__drizzle_migrations: lock_timeout (200ms) while reading the bookkeeping table, held by pid ${h.pid} (AccessExclusiveLock, 'busy-app', idle in transaction`,
    );
    expect(r.output).toContain(
      `SELECT pg_terminate_backend(${h.pid}) (it is idle in transaction: pg_cancel_backend does nothing to it)`,
    );
  });

  it('on recording the migration names the step and the blocker, and nothing is applied (exit 15)', async () => {
    const db = await scratch.database();
    const first = { tag: '0000_a', sql: 'CREATE TABLE a (id int);' };
    expect((await runRunner(db.url, { dir: migrationsDir([first]) })).code).toBe(0);
    const h = await holder(db, 'LOCK TABLE drizzle.__drizzle_migrations IN SHARE MODE');
    const dir = migrationsDir([first, { tag: '0001_b', sql: 'CREATE TABLE b (id int);' }]);
    const r = await runRunner(db.url, { dir, env: { MIGRATE_LOCK_TIMEOUT: '300ms', MIGRATE_LOCK_RETRIES: '2' } });
    await h.release();
    expect(r.code, r.output).toBe(MIGRATE_EXIT.LOCK_TIMEOUT);
    expect(r.output).toContain(
      '0001_b.sql line 1 (recording it in drizzle.__drizzle_migrations): lock_timeout (300ms) on all 2 attempts',
    );
    expect(r.output).toContain(`last blocked by pid ${h.pid} ('busy-app', idle in transaction`);
    expect(r.output).toContain(`pg_terminate_backend(${h.pid})`);
    expect(await applied(db)).toBe(1);
    expect((await db.sql`SELECT to_regclass('public.b') AS t`)[0]!.t).toBeNull();
  });

  it('on dropping a leftover INVALID index names the step and the blocker (exit 15)', async () => {
    const db = await scratch.database();
    const base = {
      tag: '0000_t',
      sql: 'CREATE TABLE t (id int);\n--> statement-breakpoint\nINSERT INTO t VALUES (1), (1);',
    };
    const cic = {
      tag: '0001_unique',
      sql: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id_key ON t (id);',
    };
    const dir = migrationsDir([base, cic]);
    expect((await runRunner(db.url, { dir })).code).toBe(MIGRATE_EXIT.MIGRATION_FAILED);
    const h = await holder(db, 'LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE');
    const r = await runRunner(db.url, { dir, env: { MIGRATE_LOCK_TIMEOUT: '300ms', MIGRATE_LOCK_RETRIES: '2' } });
    await h.release();
    expect(r.code, r.output).toBe(MIGRATE_EXIT.LOCK_TIMEOUT);
    expect(r.output).toContain(
      '0001_unique.sql line 2 (dropping the INVALID index an earlier run left): lock_timeout (300ms) on all 2 attempts',
    );
    expect(r.output).toContain(`last blocked by pid ${h.pid} ('busy-app', idle in transaction`);
  });
});

describe('pre-flight and a prepared transaction', () => {
  it('names it by gid and says ROLLBACK PREPARED, not "pid (prepared transaction)" with pg_cancel advice', async () => {
    const db = await scratch.database();
    await db.sql`CREATE SCHEMA wxyc_schema`;
    await db.sql`CREATE TABLE wxyc_schema.p (id int)`;
    const [row] = await db.sql<{ max: string }[]>`SELECT current_setting('max_prepared_transactions') AS max`;
    expect(
      Number(row!.max),
      'the test server must allow prepared transactions (tests/support/pg-server.ts sets max_prepared_transactions)',
    ).toBeGreaterThan(0);
    const tx = await scratch.session(db.url, 'two-phase').reserve();
    await tx`BEGIN`;
    await tx`LOCK TABLE wxyc_schema.p IN ACCESS EXCLUSIVE MODE`;
    await tx`PREPARE TRANSACTION 'batch-42'`;
    tx.release();
    try {
      const r = await runRunner(db.url, { dir: migrationsDir([{ tag: '0000_a', sql: 'CREATE TABLE a (id int);' }]) });
      expect(r.code, r.output).toBe(MIGRATE_EXIT.PREFLIGHT_REFUSED);
      expect(r.output).toMatch(
        /prepared transaction 'batch-42', age \d+s: holds AccessExclusiveLock on wxyc_schema\.p/,
      );
      expect(r.output).toContain("ROLLBACK PREPARED 'batch-42' (a prepared transaction; no backend to cancel)");
      expect(r.output).not.toContain('pg_cancel_backend');
    } finally {
      await db.sql`ROLLBACK PREPARED 'batch-42'`;
    }
  });
});
