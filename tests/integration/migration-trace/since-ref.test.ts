// `migrate:trace --since-ref`: what the base ref already has, in either layout, so that a branch
// traces only what it adds, including the branch that moves the history to drizzle-kit 1.0 folders.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsAtRef } from '@wxyc/migration-trace';

const repo = mkdtempSync(join(tmpdir(), 'wxyc-since-ref-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();
const dir = 'db/migrations';

function commitJournal(tags: string[]): string {
  mkdirSync(join(repo, dir, 'meta'), { recursive: true });
  const entries = tags.map((tag, idx) => ({
    idx,
    version: '7',
    when: 1_750_000_000_000 + idx * 1000,
    tag,
    breakpoints: true,
  }));
  writeFileSync(
    join(repo, dir, 'meta/_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
  );
  for (const tag of tags) writeFileSync(join(repo, dir, `${tag}.sql`), 'SELECT 1;\n');
  git('add', '-A');
  git('commit', '-qm', 'journal');
  return git('rev-parse', 'HEAD');
}

function commitFolders(folders: string[]): string {
  rmSync(join(repo, dir), { recursive: true, force: true });
  for (const f of folders) {
    mkdirSync(join(repo, dir, f), { recursive: true });
    writeFileSync(join(repo, dir, f, 'migration.sql'), 'SELECT 1;\n');
  }
  git('add', '-A');
  git('commit', '-qm', 'folders');
  return git('rev-parse', 'HEAD');
}

describe('migrationsAtRef', () => {
  git('init', '-q');
  const journalRef = commitJournal(['0000_init', '0001_add-shows']);
  const foldersRef = commitFolders(['20250615154640_init', '20250615154641_add-shows', '20250616000000_add-index']);

  it('reads the journal at a ref: tags and titles', () => {
    const known = migrationsAtRef(journalRef, dir, repo);
    expect([...known.tags]).toEqual(['0000_init', '0001_add-shows']);
    expect([...known.titles]).toEqual(['init', 'add-shows']);
  });

  it('reads the folders at a ref; a branch that moved layouts adds only its new migration', () => {
    expect([...migrationsAtRef(foldersRef, dir, repo).tags]).toEqual([
      '20250615154640_init',
      '20250615154641_add-shows',
      '20250616000000_add-index',
    ]);
    const base = migrationsAtRef(journalRef, dir, repo);
    const branch = ['20250615154640_init', '20250615154641_add-shows', '20250616000000_add-index'];
    const firstNew = branch.findIndex((tag) => !base.tags.has(tag) && !base.titles.has(tag.replace(/^\d{14}_/, '')));
    expect(firstNew).toBe(2);
  });

  it('refuses a ref that is not one, and one where the folder is missing, in one line', () => {
    expect(() => migrationsAtRef('main; rm -rf /', dir, repo)).toThrow(/not a git ref/);
    expect(() => migrationsAtRef(journalRef, 'no/such/dir', repo)).toThrow(
      /^--since-ref [0-9a-f]+: cannot read no\/such\/dir there \(.*\)$/,
    );
  });
});
