// What `pnpm lint:migrations [dir]` prints and returns (cli.ts only wires process I/O to this).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLintCli } from '@wxyc/migration-lint';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxyc-lint-'));
  mkdirSync(join(dir, 'meta'));
  const entries = Object.keys(files).map((tag, idx) => ({ idx, version: '7', when: 1000 + idx, tag, breakpoints: true }));
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
  for (const [tag, sql] of Object.entries(files)) writeFileSync(join(dir, `${tag}.sql`), sql);
  return dir;
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
    expect(r.err).toContain('0001_bad.sql:2: [dml-with-ddl] UPDATE in a migration that has DDL\n    UPDATE, DELETE, MERGE');
    expect(r.out).toBe(`[lint:migrations] 1 problem(s), 0 waived (allow markers and historical exceptions) in ${dir}`);
  });

  it('exits 0 on a clean folder and 2 on a folder without a journal', async () => {
    expect((await lint([folder({ '0000_ok': 'CREATE TABLE t (id int);' })], '/')).code).toBe(0);
    const none = await lint([tmpdir()], '/');
    expect(none.code).toBe(2);
    expect(none.err).toContain('has no meta/_journal.json');
  });
});
