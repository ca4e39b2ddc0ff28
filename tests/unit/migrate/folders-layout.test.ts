// The migration-set reader in drizzle-kit 1.0's folders layout, and planning against drizzle
// 1.0's tracking table. The naming and ordering rules are drizzle's own (drizzle-kit
// migrateToFoldersV3 / prepareSnapshotFolderName, drizzle-orm readMigrationFiles / formatToMillis).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JournalError,
  MIGRATIONS_DIR,
  convertToFolders,
  folderNameFor,
  folderTime,
  loadMigrations,
  migrationFileName,
  planMigrations,
  readMigrationSet,
  strayAdvice,
  type Migration,
} from '@wxyc/database';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wxyc-folders-'));
  temps.push(d);
  return d;
};
/** A folders-layout dir: folder name -> migration.sql content (undefined: the folder without it). */
function folders(files: Record<string, string | undefined>): string {
  const dir = temp();
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name), { recursive: true });
    if (sql !== undefined) writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

const journal = loadMigrations(MIGRATIONS_DIR);
const converted = () => {
  const dir = temp();
  convertToFolders(MIGRATIONS_DIR, dir);
  return readMigrationSet(dir);
};

describe('folder names', () => {
  it('are what drizzle-kit up makes of a journal entry: UTC seconds of `when`, then the tag without its number', () => {
    expect(folderNameFor(1754606446000, '0053_flowsheet-dj-name-column')).toBe(
      '20250807224046_flowsheet-dj-name-column',
    );
    // 0054's `when` has a millisecond part: a folder keeps whole seconds only.
    expect(folderNameFor(1755661617001, '0054_flowsheet-search-doc-expand')).toBe(
      '20250820034657_flowsheet-search-doc-expand',
    );
    expect(folderTime('20250820034657_flowsheet-search-doc-expand')).toBe(1755661617000);
  });

  it('must start with a real UTC time', () => {
    expect(folderTime('20251301000000_x')).toBeUndefined(); // month 13
    expect(folderTime('20250230000000_x')).toBeUndefined(); // 30 February
    expect(folderTime('2025010100000_x')).toBeUndefined(); // 13 digits
    expect(folderTime('20250101000000_')).toBeUndefined(); // no name
    expect(folderTime('20250101000000_x')).toBe(Date.UTC(2025, 0, 1));
  });
});

describe('the history converted to folders', () => {
  it('holds every migration byte for byte: same hash, statements and no-transaction marker as the journal', () => {
    const set = converted();
    expect(set.layout).toBe('folders');
    expect(set.strays).toEqual([]);
    const byName = new Map(set.migrations.map((m) => [m.name, m]));
    for (const j of journal) {
      const f = byName.get(j.name!)!;
      expect(f, j.tag).toBeDefined();
      expect(f.hash).toBe(j.hash);
      expect(f.statements).toEqual(j.statements);
      expect(f.noTransaction).toBe(j.noTransaction);
      expect(f.when).toBe(Math.floor(j.when / 1000) * 1000);
      expect(migrationFileName(f)).toBe(`${j.name}/migration.sql`);
    }
    expect(set.migrations).toHaveLength(journal.length);
  });

  it("applies in drizzle 1.0's order: by timestamp, then by name within one second (0058 moves after 0059)", () => {
    const order = converted().migrations.map((m) => journal.find((j) => j.name === m.name)!.tag.slice(0, 4));
    // 0058 and 0059 share one second; 0060 on have seconds of their own, so only 0058 moves.
    const expected = journal.map((j) => j.tag.slice(0, 4)).filter((n) => n !== '0058');
    expected.splice(expected.indexOf('0059') + 1, 0, '0058');
    expect(order).toEqual(expected);
  });

  it('keeps the snapshots the journal folder has, as snapshot.json', () => {
    const dir = temp();
    const names = convertToFolders(MIGRATIONS_DIR, dir);
    // meta/ keeps the newest snapshot (and a few older ones): the newest lands in its migration's folder.
    const newest = journal[journal.length - 1]!;
    const folder = names.find((n) => n.endsWith(`_${newest.tag.slice(5)}`))!;
    const number = newest.tag.slice(0, 4);
    expect(readFileSync(join(dir, folder, 'snapshot.json'), 'utf8')).toBe(
      readFileSync(join(MIGRATIONS_DIR, 'meta', `${number}_snapshot.json`), 'utf8'),
    );
    expect(() => convertToFolders(MIGRATIONS_DIR, dir)).toThrow(/is not empty/);
  });
});

describe('a malformed migrations folder is refused in one line naming the file and the fix', () => {
  it('a folder whose name is not <timestamp>_<name>', () => {
    const dir = folders({ '20250101000000_a': 'CREATE TABLE a (id int);', 'add-b': 'CREATE TABLE b (id int);' });
    expect(() => readMigrationSet(dir)).toThrow(JournalError);
    expect(() => readMigrationSet(dir)).toThrow(
      `${join(dir, 'add-b')}: not a drizzle-kit 1.0 migration folder (its name is not <yyyymmddhhmmss>_<name>): rename it like 20250807224046_add_dj_name`,
    );
  });

  it('a timestamp that is no date', () => {
    const dir = folders({ '20251399000000_a': 'CREATE TABLE a (id int);' });
    expect(() => readMigrationSet(dir)).toThrow(
      /20251399000000_a: not a drizzle-kit 1.0 migration folder \(its first 14 digits are not a valid UTC time\)/,
    );
  });

  it('a folder without migration.sql (drizzle would skip it silently)', () => {
    const dir = folders({ '20250101000000_a': 'CREATE TABLE a (id int);', '20250102000000_b': undefined });
    writeFileSync(join(dir, '20250102000000_b', 'snapshot.json'), '{}');
    expect(() => readMigrationSet(dir)).toThrow(
      `${join(dir, '20250102000000_b', 'migration.sql')} does not exist: every migration folder needs one`,
    );
  });

  it('a folder holding both layouts', () => {
    const dir = temp();
    convertToFolders(MIGRATIONS_DIR, dir);
    mkdirSync(join(dir, 'meta'));
    writeFileSync(join(dir, 'meta', '_journal.json'), readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json')));
    expect(() => readMigrationSet(dir)).toThrow(
      /holds both meta\/_journal\.json and drizzle-kit 1\.0 migration folders \(\d{14}_auth_tables and \d+ more\): keep one layout/,
    );
  });

  it('a folder with neither', () => {
    const dir = temp();
    writeFileSync(join(dir, 'README.md'), 'nothing here');
    expect(() => readMigrationSet(dir)).toThrow(
      `${dir} has no meta/_journal.json and no <timestamp>_<name>/migration.sql folder: pass the migrations folder`,
    );
    expect(() => readMigrationSet(join(dir, 'missing'))).toThrow(/missing is not a folder/);
  });

  it('the same content checks as the journal: one statement under the no-transaction marker', () => {
    const dir = folders({
      '20250101000000_idx':
        '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a ON t (a);\n--> statement-breakpoint\nSELECT 1;',
    });
    expect(() => readMigrationSet(dir)).toThrow(
      /migration\.sql: a -- migrate:no-transaction migration must hold exactly one statement, found 2/,
    );
  });
});

it('lists .sql files nothing applies, beside the folders or inside one', () => {
  const dir = folders({ '20250101000000_a': 'CREATE TABLE a (id int);' });
  writeFileSync(join(dir, '0001_forgotten.sql'), 'CREATE TABLE f (id int);');
  writeFileSync(join(dir, '20250101000000_a', 'down.sql'), 'DROP TABLE a;');
  writeFileSync(join(dir, '20250101000000_a', 'snapshot.json'), '{}');
  const set = readMigrationSet(dir);
  expect(set.migrations.map((m) => m.tag)).toEqual(['20250101000000_a']);
  expect(set.strays).toEqual(['0001_forgotten.sql', '20250101000000_a/down.sql']);
  expect(strayAdvice('folders')).toMatch(
    /^is not the migration\.sql of a <timestamp>_<name> folder, so it is never applied/,
  );
});

describe('planning in the folders layout', () => {
  const m = (name: string, hash = `h-${name}`): Migration => ({
    idx: 0,
    tag: name,
    name,
    layout: 'folders',
    when: folderTime(name)!,
    file: `${name}/migration.sql`,
    hash,
    content: '',
    statements: [{ sql: 'SELECT 1', line: 1 }],
    noTransaction: false,
  });
  const a = m('20250101000000_a');
  // Three in one second (0058 and 0059 of the real history share one).
  const x = m('20250102000000_x');
  const y = m('20250102000000_y');
  const z = m('20250102000000_z');
  const all = [a, x, y, z];

  it("takes a named row (drizzle 1.0's table) by name alone", () => {
    const plan = planMigrations(all, [
      { id: 1, hash: 'h-20250102000000_y', created_at: '1', name: '20250102000000_y' },
    ]);
    expect(plan.applied).toEqual([y]);
    expect(plan.pending).toEqual([a, x, z]);
    expect(plan.outOfOrder).toEqual([a, x]);
  });

  it('takes an unnamed row (drizzle 0.x, ms `when`) by its second, and by hash among folders of the same second', () => {
    const rows = [
      { id: 1, hash: 'h-20250101000000_a', created_at: String(Date.UTC(2025, 0, 1) + 123), name: null },
      { id: 2, hash: 'h-20250102000000_z', created_at: String(Date.UTC(2025, 0, 2) + 2), name: null },
      { id: 3, hash: 'h-20250102000000_x', created_at: String(Date.UTC(2025, 0, 2) + 0), name: null },
    ];
    const plan = planMigrations(all, rows);
    expect(plan.applied).toEqual([a, x, z]);
    expect(plan.pending).toEqual([y]);
    expect(plan.matched.map((r) => [r.row.id, r.migration.tag])).toEqual([
      [1, a.tag],
      [2, z.tag],
      [3, x.tag],
    ]);
    expect(plan.unknownRows).toEqual([]);
  });

  it('an edited file in a shared second is still found (the one folder of that second no other row claims) and reported as drift', () => {
    const rows = [
      { id: 1, hash: 'h-20250102000000_x', created_at: String(Date.UTC(2025, 0, 2)), name: null },
      { id: 2, hash: 'edited', created_at: String(Date.UTC(2025, 0, 2) + 1), name: null },
      { id: 3, hash: 'h-20250102000000_z', created_at: String(Date.UTC(2025, 0, 2) + 2), name: null },
    ];
    const plan = planMigrations([x, y, z], rows);
    expect(plan.pending).toEqual([]);
    expect(plan.drifted).toEqual([{ migration: y, recordedHash: 'edited' }]);
  });

  it('refuses a renamed folder (same file, other name or second) instead of applying it twice', () => {
    const renamed = m('20250105000000_a', a.hash);
    const byName = planMigrations([renamed], [{ id: 7, hash: a.hash, created_at: String(a.when), name: a.tag }]);
    expect(byName.pending).toEqual([]);
    expect(byName.movedWhen).toEqual([
      { migration: renamed, row: { id: 7, hash: a.hash, created_at: String(a.when), name: a.tag } },
    ]);
    const bySecond = planMigrations([renamed], [{ id: 8, hash: a.hash, created_at: String(a.when + 5), name: null }]);
    expect(bySecond.movedWhen.map((x) => x.row.id)).toEqual([8]);
  });

  it('reports a named row no folder has', () => {
    const plan = planMigrations([a], [{ id: 1, hash: 'gone', created_at: '5', name: '20240101000000_gone' }]);
    expect(plan.unknownRows.map((r) => r.id)).toEqual([1]);
    expect(plan.pending).toEqual([a]);
  });

  it('in the journal layout takes a named row by the folder name drizzle-kit up gives the entry', () => {
    const j = journal.slice(0, 3);
    const plan = planMigrations(j, [
      { id: 1, hash: j[1]!.hash, created_at: '0', name: folderNameFor(j[1]!.when, j[1]!.tag) },
    ]);
    expect(plan.applied).toEqual([j[1]]);
    expect(plan.pending).toEqual([j[0], j[2]]);
  });
});
