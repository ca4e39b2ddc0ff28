// The linter and the trace read drizzle-kit 1.0's folders through the same reader as the runner:
// the converted history lints exactly as the journal does (historical exceptions and markers
// included), and the trace finds a migration's prepare step after the rename.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, convertToFolders, loadMigrations, migrateWithDrizzle } from '@wxyc/database';
import { lintDirectory, loadParser, runLintCli } from '@wxyc/migration-lint';
import { PREPARE_STEPS, prepareStepFor } from '@wxyc/migration-trace';

beforeAll(() => loadParser());
const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
const converted = () => {
  const d = mkdtempSync(join(tmpdir(), 'wxyc-folders-lint-'));
  temps.push(d);
  convertToFolders(MIGRATIONS_DIR, d);
  return d;
};
const lint = async (args: string[]) => {
  const err: string[] = [];
  const code = await runLintCli(args, MIGRATIONS_DIR, { cwd: '/', out: () => {}, err: (l) => err.push(l) });
  return { code, err: err.join('\n') };
};

describe('the linter on the history converted to folders', () => {
  it('finds what it finds on the journal, with the same waivers (exceptions found by the name both layouts share)', () => {
    const dir = converted();
    const folders = lintDirectory(dir);
    const journal = lintDirectory(MIGRATIONS_DIR);
    expect(folders.findings).toEqual([]);
    const key = (w: { rule: string; reason: string }) => `${w.rule}: ${w.reason}`;
    expect(folders.waived.map(key).sort()).toEqual(journal.waived.map(key).sort());
    expect(
      folders.waived.some(
        (w) => w.reason.startsWith('historical exception') && w.file.endsWith('_flowsheet_entry_type/migration.sql'),
      ),
    ).toBe(true);
  });

  it('reports a .sql file nothing applies under the same rule id, and refuses a malformed folder in one line (exit 2)', async () => {
    const dir = converted();
    writeFileSync(join(dir, 'forgotten.sql'), 'CREATE TABLE f (id int);');
    const stray = await lint([dir]);
    expect(stray.code).toBe(1);
    expect(stray.err).toContain(
      `${join(dir, 'forgotten.sql').slice(1)}:1: [file-not-in-journal] forgotten.sql is not the migration.sql of a <timestamp>_<name> folder`,
    );
    mkdirSync(join(dir, 'not-a-migration'));
    const bad = await lint([dir]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      `[lint:migrations] error: ${join(dir, 'not-a-migration')}: not a drizzle-kit 1.0 migration folder (its name is not <yyyymmddhhmmss>_<name>): rename it like 20250807224046_add_dj_name (UTC time of creation), or move it out of the migrations folder.`,
    );
  });
});

describe('the trace in the folders layout', () => {
  it("finds 0061's prepare step under its folder name", () => {
    const folder = loadMigrations(converted()).find((m) => m.tag.endsWith('_flowsheet-search-doc-switch'))!;
    expect(folder.tag).toMatch(/^\d{14}_flowsheet-search-doc-switch$/);
    expect(prepareStepFor(PREPARE_STEPS, folder.tag)).toBe(PREPARE_STEPS['0061_flowsheet-search-doc-switch']);
    expect(prepareStepFor(PREPARE_STEPS, '20250101000000_something-else')).toBeUndefined();
  });
});

it("migrateWithDrizzle (drizzle 0.x's migrator) refuses the folders layout before connecting", async () => {
  await expect(
    migrateWithDrizzle('postgres://nobody@127.0.0.1:1/none', { migrationsDir: converted() }),
  ).rejects.toThrow(
    /is in drizzle-kit 1\.0's folders layout: drizzle-orm 0\.x's migrator \(migrateWithDrizzle\) reads only meta\/_journal\.json; use the runner/,
  );
});
