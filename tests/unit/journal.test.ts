import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JournalError,
  MIGRATIONS_DIR,
  loadMigrations,
  readJournal,
  splitStatements,
  type Journal,
} from '@wxyc/database';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

function copyMigrations(edit: (j: Journal, dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  temps.push(dir);
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const path = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  edit(journal, dir);
  writeFileSync(path, JSON.stringify(journal));
  return dir;
}

describe('the migration journal', () => {
  // Numbers are consecutive from 0000; readJournal itself refuses a `when` that does not
  // increase (drizzle's migrator skips an entry older than the newest applied one).
  it('holds 0000 onwards, numbered consecutively, with strictly increasing when', () => {
    const { entries } = readJournal(MIGRATIONS_DIR);
    expect(entries.map((e) => Number(e.tag.slice(0, 4)))).toEqual(entries.map((_, i) => i));
    entries.slice(1).forEach((e, i) => {
      expect(e.when).toBeGreaterThan(entries[i]!.when);
    });
    expect(entries.length).toBeGreaterThanOrEqual(56);
    entries.forEach((e, i) => {
      expect(e.idx).toBe(i);
    });
    const newest = entries.at(-1)!.when;
    expect(newest).toBeLessThan(Date.now());
  });

  it('refuses a when that does not increase, naming the entry', () => {
    const dir = copyMigrations((j) => {
      j.entries[10]!.when = j.entries[9]!.when;
    });
    expect(() => readJournal(dir)).toThrow(JournalError);
    expect(() => readJournal(dir)).toThrow(/0010_\w+.*"when" \d+ is not greater than 0009_/);
  });

  it('refuses an entry whose file is missing', () => {
    const dir = copyMigrations((j, d) => rmSync(join(d, `${j.entries[3]!.tag}.sql`)));
    expect(() => readJournal(dir)).toThrow(/file 0003_formats\.sql does not exist/);
  });

  it('refuses a duplicated tag and an unreadable journal', () => {
    const dup = copyMigrations((j) => {
      j.entries[5]!.tag = j.entries[4]!.tag;
    });
    expect(() => readJournal(dup)).toThrow(/tag appears twice/);
    const broken = copyMigrations(() => {});
    writeFileSync(join(broken, 'meta', '_journal.json'), '{ "entries": [');
    expect(() => readJournal(broken)).toThrow(/cannot read .*_journal\.json/);
  });

  it('hashes each file like drizzle (sha256 of the whole file)', async () => {
    const { createHash } = await import('node:crypto');
    const m = loadMigrations(MIGRATIONS_DIR)[53]!;
    expect(m.hash).toBe(createHash('sha256').update(readFileSync(m.file)).digest('hex'));
  });
});

describe('splitStatements', () => {
  it('splits on drizzle breakpoints and reports the line each statement starts on', () => {
    const file =
      '-- header\nCREATE TABLE a (id int);--> statement-breakpoint\n\n\nALTER TABLE a\n  ADD COLUMN b int;--> statement-breakpoint\n-- only a comment\n';
    expect(splitStatements(file)).toEqual([
      { sql: 'CREATE TABLE a (id int);', line: 2 },
      { sql: 'ALTER TABLE a\n  ADD COLUMN b int;', line: 5 },
    ]);
  });

  it('refuses a no-transaction migration with more than one statement', () => {
    const dir = copyMigrations((j, d) => {
      writeFileSync(
        join(d, `${j.entries[2]!.tag}.sql`),
        '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a ON b (c);--> statement-breakpoint\nSELECT 1;',
      );
    });
    expect(() => loadMigrations(dir)).toThrow(/must hold exactly one statement, found 2/);
  });
});
