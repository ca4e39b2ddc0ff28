// pnpm dev / pnpm job / pnpm dev:stop, as a new engineer runs them: a detached local server in
// its own folder, migrated by the guarded runner, and a job run against it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@wxyc/local-postgres';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wxyc-dev-'));
const port = await freePort();
const { DATABASE_URL: _ignored, ...inherited } = process.env;
const env = {
  ...inherited,
  DEV_DB_DIR: dir,
  DEV_PG_PORT: String(port),
  // A MySQL URL that cannot answer: the PostgreSQL side must work without the legacy source.
  LEGACY_DATABASE_URL: `mysql://root@127.0.0.1:${await freePort()}/wxyc_legacy`,
};
const run = (script: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [`dev_env/${script}`, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

afterAll(() => {
  run('dev-stop.mjs');
  rmSync(dir, { recursive: true, force: true });
});

describe('the local stack', () => {
  it('pnpm dev starts a server, migrates and seeds; a second run reuses it', async () => {
    const first = run('dev.mjs');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain(`local PostgreSQL started on port ${port}`);
    expect(first.out).toMatch(/\[migrate\] applied \d+ migration\(s\)/);
    expect(first.out).toContain('the legacy MySQL tables were not loaded');
    expect(first.out).toContain(`[dev] ready: DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${port}/wxyc`); // the throwaway local password, to copy
    const second = run('dev.mjs');
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain('already running');
    expect(second.out).toContain('database is up to date');
    const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${port}/wxyc`, { max: 1, onnotice: () => {} });
    try {
      const [u] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM auth_user WHERE id = 'dev-dj-1'`;
      expect(u!.n).toBe(1);
    } finally {
      await sql.end();
    }
  }, 240_000);

  it('pnpm job runs a job against it, and refuses an unknown name', () => {
    const ok = run('run-job.mjs', 'flowsheet-dj-name-backfill');
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain(
      "[backfill] check: 0 track rows have dj_name IS NULL and a handle to fill; 0061's dj_name guard passes",
    );
    const bad = run('run-job.mjs', 'no-such-job');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/no job named "no-such-job"; jobs: .*flowsheet-etl/);
  }, 240_000);

  it('pnpm dev:stop stops it', () => {
    expect(run('dev-stop.mjs').out).toContain('local PostgreSQL stopped');
    expect(run('dev-stop.mjs').out).toContain('was not running');
  }, 60_000);
});
