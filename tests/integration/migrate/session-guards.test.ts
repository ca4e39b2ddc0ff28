// A migration or the URL must not switch the runner's safety settings off for the migrations
// after it: the session is reset and checked (SHOW) before each one; overriding URL
// parameters and a URL that names no host or database are refused before anything runs.
import { describe, expect, it } from 'vitest';
import { MIGRATE_EXIT } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrationsDir, runRunner, spawnRunner, useScratch } from '../../support/migrate-runner.js';

const scratch = useScratch();

const recorded = async (db: TestDatabase) => {
  const [t] = await db.sql<{ ok: boolean }[]>`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS ok`;
  return t!.ok ? (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)[0]!.n : 0;
};

const assertSetting = (name: string, want: string) => `
DO $$ BEGIN
  IF current_setting('${name}') <> '${want}' THEN
    RAISE EXCEPTION '${name} is % in the next migration', current_setting('${name}');
  END IF;
END $$;`;

describe('a plain SET in a migration does not reach the next one', () => {
  it.each([
    ['lock_timeout', '0', '2s'],
    ['statement_timeout', '0', '5min'],
    ['idle_in_transaction_session_timeout', '0', '1min'],
    ['client_connection_check_interval', '0', '2s'],
    ['search_path', 'pg_catalog', '"$user", public'],
    ['application_name', "'not-the-runner'", 'wxyc-migrate'],
  ])('SET %s = %s', async (name, value, want) => {
    const db = await scratch.database();
    const dir = migrationsDir([
      { tag: '0000_set', sql: `CREATE TABLE public.a (id int);\n--> statement-breakpoint\nSET ${name} = ${value};` },
      { tag: '0001_check', sql: assertSetting(name, want) },
    ]);
    const r = await runRunner(db.url, { dir });
    expect(r.code, r.output).toBe(0);
    expect(await recorded(db)).toBe(2);
  });

  it('a later ALTER TABLE still gives up at lock_timeout after a migration set it to 0', async () => {
    const db = await scratch.database();
    await db.sql`CREATE TABLE public.busy (id int)`;
    const dir = migrationsDir([
      { tag: '0000_off', sql: 'SET lock_timeout = 0;' },
      { tag: '0001_alter', sql: 'ALTER TABLE public.busy ADD COLUMN x int;' },
    ]);
    const reader = await scratch.session(db.url, 'busy-app').reserve();
    await reader`BEGIN`;
    await reader`SELECT * FROM public.busy`;
    const started = Date.now();
    const r = await runRunner(db.url, { dir, env: { MIGRATE_LOCK_RETRIES: '2', MIGRATE_LOCK_TIMEOUT: '200ms' } });
    const tookMs = Date.now() - started;
    await reader`ROLLBACK`;
    reader.release();
    expect(r.code, r.output).toBe(MIGRATE_EXIT.LOCK_TIMEOUT);
    expect(r.output).toContain('0001_alter.sql line 1: lock_timeout (200ms) on all 2 attempts');
    expect(tookMs).toBeLessThan(5000);
  });
});

describe('URL parameters that would override the runner settings', () => {
  it.each([
    ['lock_timeout=0', 'lock_timeout'],
    ['statement_timeout=0&lock_timeout=0', 'statement_timeout'],
    ['client_connection_check_interval=0', 'client_connection_check_interval'],
    ['idle_in_transaction_session_timeout=0', 'idle_in_transaction_session_timeout'],
    ['application_name=x', 'application_name'],
    ['options=-c%20lock_timeout%3D0', 'lock_timeout'],
    ['options=--statement_timeout%3D0', 'statement_timeout'],
  ])('?%s is refused with one line, exit 2, nothing applied', async (query, setting) => {
    const db = await scratch.database();
    const dir = migrationsDir([{ tag: '0000_a', sql: 'CREATE TABLE public.a (id int);' }]);
    const r = await runRunner(`${db.url}?${query}`, { dir });
    expect(r.code, r.output).toBe(MIGRATE_EXIT.CONFIG);
    expect(r.output).toContain(`error: the database URL sets ${setting} (query parameter`);
    expect(r.output.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(await recorded(db)).toBe(0);
  });

  it('other parameters (sslmode) still pass', async () => {
    const db = await scratch.database();
    const dir = migrationsDir([{ tag: '0000_a', sql: 'CREATE TABLE public.a (id int);' }]);
    const r = await runRunner(`${db.url}?sslmode=disable`, { dir });
    expect(r.code, r.output).toBe(0);
  });
});

describe('the target', () => {
  it.each(['postgres://', 'postgres:///postgres', 'postgres://127.0.0.1', 'postgres://127.0.0.1:5432/'])(
    'DATABASE_URL=%s is refused (exit 2) and PG* variables do not fill the gap',
    async (url) => {
      const db = await scratch.database();
      const u = new URL(db.url);
      const dir = migrationsDir([{ tag: '0000_a', sql: 'CREATE TABLE public.pg_env_target (id int);' }]);
      const run = spawnRunner(url, {
        dir,
        env: { PGHOST: u.hostname, PGPORT: u.port, PGDATABASE: db.name, PGUSER: decodeURIComponent(u.username) },
      });
      expect((await run.exited).code, run.output()).toBe(MIGRATE_EXIT.CONFIG);
      expect(run.output()).toMatch(/\[migrate\] error: DATABASE_URL=\S* names no (a host|a database name)/);
      expect((await db.sql`SELECT to_regclass('public.pg_env_target') AS t`)[0]!.t).toBeNull();
    },
  );

  it('prints the effective target, masked, before anything else', async () => {
    const db = await scratch.database();
    const { hostname, port, username, password } = new URL(db.url);
    // No user in the URL: PGUSER fills it, and the first line says so.
    const url = `postgres://${hostname}:${port}/${db.name}?sslmode=disable`;
    const env = { PGUSER: decodeURIComponent(username), PGPASSWORD: decodeURIComponent(password) };
    const run = spawnRunner(url, {
      dir: migrationsDir([{ tag: '0000_a', sql: 'SELECT 1;' }]),
      args: ['--status'],
      env,
    });
    expect((await run.exited).code, run.output()).toBe(0);
    expect(run.output().split('\n')[0]).toBe(
      `[migrate] status of ${url} (${env.PGUSER}@${hostname}:${port}/${db.name})`,
    );
    const apply = spawnRunner(`postgres://${hostname}:${port}/${db.name}?password=Pw-target-3`, {
      dir: migrationsDir([{ tag: '0000_a', sql: 'SELECT 1;' }]),
      env,
    });
    await apply.exited;
    expect(apply.output().split('\n')[0]).toMatch(/^\[migrate\] migrating postgres:\/\/\S+\?password=\*\*\* \(/);
    expect(apply.output()).not.toContain('Pw-target-3');
  });
});
