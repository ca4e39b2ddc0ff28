// `node dev_env/init-db.mjs --trace | --export-stats` as the real process (the built packages).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadMigrations, MIGRATIONS_DIR, parseTableStats } from '@wxyc/database';
import { REPO } from '../../support/migrate-runner.js';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase('head');

function initDb(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('node', ['dev_env/init-db.mjs', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('init-db.mjs --trace', () => {
  it('refuses bad arguments in one line with exit 2, before starting anything', () => {
    const rows = initDb(['--trace', '--rows', 'lots', '--from', '0052_comment_bins']);
    expect(rows.code).toBe(2);
    expect(rows.err.trim()).toBe('[migrate:trace] error: --rows "lots": expected a whole number >= 0');
    const repeat = initDb(['--trace', '--repeat', '0']);
    expect(repeat.code).toBe(2);
    expect(repeat.err.trim()).toBe('[migrate:trace] error: --repeat "0": expected a whole number >= 1');
    expect(initDb(['--trace', '--repeat', '11']).err.trim()).toBe(
      '[migrate:trace] error: --repeat 11: at most 10 runs per migration',
    );
    const from = initDb(['--trace', '--from', '9999_nope']);
    expect(from.code).toBe(2);
    expect(from.err).toContain('--from 9999_nope: no such migration in the journal');
    const unknown = initDb(['--trace', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.trim()).toMatch(
      /^\[migrate:trace\] error: unknown argument "--bogus"; usage: node dev_env\/init-db.mjs --trace /,
    );
    const ref = initDb(['--trace', '--since-ref', 'no-such-branch-xyz']);
    expect(ref.code).toBe(2);
    expect(ref.err).toContain('--since-ref no-such-branch-xyz: cannot read shared/database/src/migrations there');
  });

  it('traces nothing (and starts no server) when the ref or the database has every migration', () => {
    const head = initDb(['--trace', '--since-ref', 'HEAD']);
    expect(head.code).toBe(0);
    expect(head.out).toContain('no migration to trace');
    const pending = initDb(['--trace'], { DATABASE_URL: db.url });
    expect(pending.code).toBe(0);
    expect(pending.out).toContain('0 pending migration(s)');
    expect(pending.out).not.toContain(':postgres@');
  });

  it('traces the newest migrations on a seeded copy, writes the JSON report, exits 0 within budget and 1 over it', () => {
    const all = loadMigrations(MIGRATIONS_DIR);
    // From 0055: 0056 takes ACCESS EXCLUSIVE on an existing table (the over-budget case below);
    // a newer migration may only create a table of its own (0058), which blocks no writes.
    const from = all.find((m) => m.tag.startsWith('0055_'))!.tag;
    const traced = all.slice(all.findIndex((m) => m.tag === from) + 1).map((m) => m.tag);
    const json = join(mkdtempSync(join(tmpdir(), 'wxyc-trace-')), 'report.json');
    const ok = initDb(['--trace', '--from', from, '--rows', '2000', '--json', json], {
      TRACE_SERVER_URL: inject('pgAdminUrl'),
    });
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    for (const tag of traced) expect(ok.out).toMatch(new RegExp(`^${tag}( \\(no transaction\\))?:$`, 'm'));
    expect(ok.out).toContain('ok: no statement holds a write-blocking lock longer than 2.0 s at production size');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.migrations.map((m: { tag: string }) => m.tag)).toEqual(traced);
    const tight = initDb(['--trace', '--from', from, '--rows', '2000', '--budget', '0ms'], {
      TRACE_SERVER_URL: inject('pgAdminUrl'),
    });
    expect(tight.code).toBe(1);
    expect(tight.out).toMatch(/OVER BUDGET: .* over the 0.0 ms write-lock budget/);
  });
});

describe('init-db.mjs --export-stats', () => {
  it('writes every table of the schema with reltuples and relpages, and no password', async () => {
    await db.sql`INSERT INTO wxyc_schema.genres (genre_name) SELECT 'g' || g FROM generate_series(1, 50) g`;
    await db.sql`ANALYZE wxyc_schema.genres`;
    const out = join(mkdtempSync(join(tmpdir(), 'wxyc-stats-')), 'stats.json');
    const r = initDb(['--export-stats', '--out', out], { DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    const stats = parseTableStats(text);
    expect(stats.tables['wxyc_schema.genres']).toEqual({ reltuples: 50, relpages: 1 });
    expect(Object.keys(stats.tables)).toEqual(expect.arrayContaining(['wxyc_schema.flowsheet', 'public.auth_user']));
    expect(text).not.toContain(':postgres@');
    expect(`${r.out}${r.err}`).not.toContain(':postgres@');
  });
});
