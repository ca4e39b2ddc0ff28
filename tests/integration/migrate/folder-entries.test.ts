// Migration folder entries the runner must refuse instead of skipping or crashing (issue #27
// item 6): a symlinked migration folder (silently never applied), a migration.sql that is a
// directory (EISDIR without a path, exit 1), a name with a newline (fake log lines). Each is one
// line naming the path, escaped, exit 12, nothing applied; the real `node dev_env/init-db.mjs`.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATE_EXIT } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrationsDir, spawnRunner, useScratch } from '../../support/migrate-runner.js';

const { database } = useScratch();
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
const folders = (names: Record<string, string>) => {
  const dir = temp('wxyc-entries-');
  for (const [name, sql] of Object.entries(names)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
};
const nothingApplied = async (db: TestDatabase) =>
  (await db.sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS none`)[0]!.none;

async function refused(dir: string, line: string) {
  const db = await database();
  const p = spawnRunner(db.url, { dir });
  const { code } = await p.exited;
  expect(p.output().trim().split('\n'), p.output()).toEqual([`[migrate] error: bad journal: ${line}`]);
  expect(code).toBe(MIGRATE_EXIT.BAD_JOURNAL);
  expect(await nothingApplied(db)).toBe(true);
}

describe('the runner refuses unusable migration entries in one line, exit 12', () => {
  it('a symlinked migration folder (it was skipped: "database is up to date")', async () => {
    const dir = folders({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    const elsewhere = folders({ real: 'CREATE TABLE b (id int);' });
    symlinkSync(join(elsewhere, 'real'), join(dir, '20250102000000_b'));
    await refused(
      dir,
      `${join(dir, '20250102000000_b')} is a symbolic link: migrations are read only from real folders and files (a linked one was never applied); put the folder or file itself in the migrations folder`,
    );
  });

  it('a migrations folder of symlinked folders only', async () => {
    const dir = temp('wxyc-entries-');
    const elsewhere = folders({ real: 'CREATE TABLE b (id int);' });
    symlinkSync(join(elsewhere, 'real'), join(dir, '20250102000000_b'));
    await refused(
      dir,
      `${join(dir, '20250102000000_b')} is a symbolic link: migrations are read only from real folders and files (a linked one was never applied); put the folder or file itself in the migrations folder`,
    );
  });

  it('a migration.sql that is a directory (was EISDIR without a path, exit 1)', async () => {
    const dir = folders({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    mkdirSync(join(dir, '20250102000000_b', 'migration.sql'), { recursive: true });
    await refused(
      dir,
      `${join(dir, '20250102000000_b', 'migration.sql')} is a directory, not a file: a migration is one SQL file; replace it with the file`,
    );
  });

  it('a journal NNNN_tag.sql that is a directory', async () => {
    const dir = migrationsDir([{ tag: '0000_a', sql: 'CREATE TABLE a (id int);' }]);
    temps.push(dir);
    rmSync(join(dir, '0000_a.sql'));
    mkdirSync(join(dir, '0000_a.sql'));
    await refused(
      dir,
      `${join(dir, '0000_a.sql')} is a directory, not a file: a migration is one SQL file; replace it with the file`,
    );
  });

  it('a folder name with a newline (injected a fake "[migrate] applied 99 migration(s)" line): refused, printed escaped', async () => {
    const dir = folders({
      '20250101000000_a': 'CREATE TABLE a (id int);',
      '20250102000000_b\n[migrate] applied 99 migration(s)': 'CREATE TABLE b (id int);',
    });
    await refused(
      dir,
      `${join(dir, '20250102000000_b')}\\n[migrate] applied 99 migration(s): the name holds a control character (shown escaped): rename it in plain characters, or move it out of the migrations folder`,
    );
  });

  it('a stray .sql name with an ANSI escape is refused the same way, escaped', async () => {
    const dir = folders({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    writeFileSync(join(dir, 'x\u001b[2Jy.sql'), 'SELECT 1;');
    await refused(
      dir,
      `${join(dir, 'x')}\\x1b[2Jy.sql: the name holds a control character (shown escaped): rename it in plain characters, or move it out of the migrations folder`,
    );
  });
});
