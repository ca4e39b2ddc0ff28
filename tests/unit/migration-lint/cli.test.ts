// What `pnpm lint:migrations [dir]` prints and returns (cli.ts only wires process I/O to this).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATS_FILE } from '@wxyc/database';
import { runLintCli } from '@wxyc/migration-lint';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxyc-lint-'));
  mkdirSync(join(dir, 'meta'));
  const entries = Object.keys(files).map((tag, idx) => ({
    idx,
    version: '7',
    when: 1000 + idx,
    tag,
    breakpoints: true,
  }));
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
  for (const [tag, sql] of Object.entries(files)) writeFileSync(join(dir, `${tag}.sql`), sql);
  return dir;
}

function statsFile(tables: Record<string, { reltuples: number; relpages: number }>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'wxyc-stats-')), 'stats.json');
  writeFileSync(file, JSON.stringify({ exportedAt: '2026-12-01T00:00:00Z', source: 'test', tables }));
  return file;
}

async function lint(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLintCli(args, '/nonexistent', { cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('lint:migrations', () => {
  it('exits 1 naming file (relative to where it was typed), line and rule', async () => {
    const dir = folder({
      '0000_ok': 'CREATE TABLE t (id int);',
      '0001_bad': 'ALTER TABLE t ADD COLUMN c int;--> statement-breakpoint\nUPDATE t SET c = 1;',
    });
    const r = await lint(['.'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      '0001_bad.sql:2: [dml-with-ddl] UPDATE in a migration that has DDL\n    UPDATE, DELETE, MERGE',
    );
    expect(r.out).toBe(
      `[lint:migrations] 1 problem(s), 0 note(s), 0 waived (allow markers and historical exceptions) in ${dir}; table sizes from ${STATS_FILE}`,
    );
  });

  it('reports a .sql file that has no journal entry (the runner would never apply it)', async () => {
    const dir = folder({ '0000_ok': 'CREATE TABLE t (id int);' });
    expect((await lint([dir, '--stats', statsFile({})], '/')).code).toBe(0);
    writeFileSync(join(dir, '0001_forgotten.sql'), 'ALTER TABLE t ADD COLUMN c int;');
    const r = await lint([dir, '--stats', statsFile({})], '/');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      '0001_forgotten.sql:1: [file-not-in-journal] 0001_forgotten.sql has no entry in meta/_journal.json',
    );
  });

  it("reads the project's drizzle schema: a DROP COLUMN the backend still uses is an error whatever the size", async () => {
    const dir = folder({
      '0000_drop': 'ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN "artist_name";',
      '0001_gone': 'ALTER TABLE "wxyc_schema"."flowsheet" DROP COLUMN IF EXISTS "never_in_schema";',
    });
    const r = await lint([dir, '--stats', statsFile({ 'wxyc_schema.flowsheet': { reltuples: 10, relpages: 1 } })], '/');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      '0000_drop.sql:1: [drop-in-schema] DROP COLUMN artist_name of wxyc_schema.flowsheet: the drizzle schema (shared/database/src/schema.ts) still has it',
    );
    expect(r.err).not.toContain('0001_gone');
  });

  describe('with table sizes (stats.json)', () => {
    const migration = { '0000_index': 'CREATE INDEX t_a_idx ON wxyc_schema.t (a);' };

    it('a lock rule on a small table is a note (exit 0) that states the size', async () => {
      const r = await lint(
        [folder(migration), '--stats', statsFile({ 'wxyc_schema.t': { reltuples: 1200, relpages: 9 } })],
        '/',
      );
      expect(r.code).toBe(0);
      expect(r.err).toContain(
        '0000_index.sql:1: note [index-not-concurrent] CREATE INDEX t_a_idx on existing table wxyc_schema.t without CONCURRENTLY [wxyc_schema.t: 1,200 rows, 9 pages; big from 100,000 rows]',
      );
      expect(r.out).toMatch(/0 problem\(s\), 1 note\(s\)/);
    });

    it('the same rule on a big table, or one stats.json does not know, is an error stating the size', async () => {
      const big = await lint(
        [folder(migration), '--stats', statsFile({ 'wxyc_schema.t': { reltuples: 2_600_000, relpages: 98_000 } })],
        '/',
      );
      expect(big.code).toBe(1);
      expect(big.err).toContain('[wxyc_schema.t: 2,600,000 rows, 98,000 pages; big from 100,000 rows]');
      const unknown = await lint([folder(migration), '--stats', statsFile({})], '/');
      expect(unknown.code).toBe(1);
      expect(unknown.err).toContain('[wxyc_schema.t: size unknown (not in stats.json); big from 100,000 rows]');
    });

    it('the threshold is --big-rows', async () => {
      const stats = statsFile({ 'wxyc_schema.t': { reltuples: 1200, relpages: 9 } });
      const r = await lint([folder(migration), '--stats', stats, '--big-rows', '1000'], '/');
      expect(r.code).toBe(1);
      expect(r.err).toContain('big from 1,000 rows');
      expect((await lint([folder(migration), '--stats', stats, '--big-rows', 'lots'], '/')).code).toBe(2);
    });

    it('a rule that is not about locking stays an error on a small table', async () => {
      const dir = folder({
        '0000_dml':
          'ALTER TABLE wxyc_schema.t ADD COLUMN c int;--> statement-breakpoint\nUPDATE wxyc_schema.t SET c = 1;',
      });
      const r = await lint([dir, '--stats', statsFile({ 'wxyc_schema.t': { reltuples: 10, relpages: 1 } })], '/');
      expect(r.code).toBe(1);
      expect(r.err).toContain('[dml-with-ddl]');
    });

    it('refuses a broken stats file in one line (exit 2)', async () => {
      const bad = join(mkdtempSync(join(tmpdir(), 'wxyc-stats-')), 'stats.json');
      writeFileSync(bad, '{"tables": {"t": {"reltuples": "many"}}}');
      const r = await lint([folder(migration), '--stats', bad], '/');
      expect(r.code).toBe(2);
      expect(r.err).toBe(`[lint:migrations] error: ${bad}: table key "t" is not schema.table`);
      expect((await lint([folder(migration), '--stats', '/nonexistent/stats.json'], '/')).code).toBe(2);
    });
  });

  it('exits 0 on a clean folder and 2 on a folder without a journal', async () => {
    expect((await lint([folder({ '0000_ok': 'CREATE TABLE t (id int);' })], '/')).code).toBe(0);
    const none = await lint([tmpdir()], '/');
    expect(none.code).toBe(2);
    expect(none.err).toContain('has no meta/_journal.json');
  });
});
