// Helpers for the migration runner's tests: run it in-process or as the real
// `node dev_env/init-db.mjs` process, and build throwaway migration folders.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll } from 'vitest';
import { exitCodeFor, type Logger } from '@wxyc/job-runtime';
import { runMigrate, type MigrateMode } from '@wxyc/database';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Settings that keep retries fast in tests; a test overrides what it is about. */
export const FAST_ENV = {
  MIGRATE_RETRY_BASE_MS: '20',
  MIGRATE_RETRY_CAP_MS: '100',
  MIGRATE_LOCK_WAIT: '5',
} as const;

export interface RunResult {
  code: number;
  /** Every line the runner logged, plus the final error message if it threw. */
  output: string;
}

/** runMigrate in this process, the way the CLI runs it (error -> exit code + message). */
export async function runRunner(
  url: string,
  opts: { dir: string; mode?: MigrateMode; env?: Record<string, string>; seedFile?: string; signal?: AbortSignal },
): Promise<RunResult> {
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
  try {
    const code = await runMigrate({
      mode: opts.mode ?? 'apply',
      migrationsDir: opts.dir,
      seedFile: opts.seedFile,
      env: { ...FAST_ENV, ...opts.env, DATABASE_URL: url },
      log,
      signal: opts.signal ?? new AbortController().signal,
    });
    return { code, output: lines.join('\n') };
  } catch (err) {
    lines.push(`error: ${(err as Error).message}`);
    return { code: exitCodeFor(err), output: lines.join('\n') };
  }
}

export interface TestMigration {
  tag: string;
  sql: string;
  when?: number;
}

/** A migrations folder with a drizzle journal; `when` defaults to increasing values. */
export function migrationsDir(migrations: TestMigration[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxyc-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const entries = migrations.map((m, idx) => {
    writeFileSync(join(dir, `${m.tag}.sql`), m.sql);
    return { idx, version: '7', when: m.when ?? 1_700_000_000_000 + idx * 1000, tag: m.tag, breakpoints: true };
  });
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
  return dir;
}

export interface RunnerProcess {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the real `node dev_env/init-db.mjs`. */
export function spawnRunner(
  url: string,
  opts: { dir: string; env?: Record<string, string>; args?: string[] },
): RunnerProcess {
  let out = '';
  const child = spawn(process.execPath, [join(REPO, 'dev_env', 'init-db.mjs'), ...(opts.args ?? [])], {
    cwd: REPO,
    env: { ...process.env, ...FAST_ENV, ...opts.env, DATABASE_URL: url, MIGRATIONS_DIR: opts.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes; returns elapsed ms. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

/**
 * Databases and extra sessions for one test file, all closed/dropped after its tests:
 * `database()` makes a fresh one, `session(url, app)` opens a connection of "another application".
 */
export function useScratch() {
  const dbs: TestDatabase[] = [];
  const clients: postgres.Sql[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end({ timeout: 1 })));
    await Promise.all(dbs.map((d) => d.drop()));
  });
  return {
    async database(start: 'head' | 'empty' = 'empty'): Promise<TestDatabase> {
      const db = await createTestDatabase(start);
      dbs.push(db);
      return db;
    },
    session(url: string, applicationName: string): postgres.Sql {
      const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: applicationName } });
      clients.push(sql);
      return sql;
    },
  };
}
