import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { printable } from '@wxyc/job-runtime';
import {
  JournalError,
  loadJournalMigrations,
  sqlFilesWithoutEntry,
  type Migration,
  type MigrationLayout,
} from './journal.js';
import { migrationFoldersIn, readFolderMigrations } from './migration-folders.js';

export interface MigrationSet {
  dir: string;
  layout: MigrationLayout;
  /** In the order they apply; the same shape in both layouts. */
  migrations: Migration[];
  /** `.sql` files that nothing applies, relative to dir (see strayAdvice). */
  strays: string[];
}

const JOURNAL = join('meta', '_journal.json');

/**
 * Which layout a migrations folder is in: meta/_journal.json (drizzle-kit 0.x) or
 * <timestamp>_<name>/migration.sql folders (drizzle-kit 1.0). A folder holding both is refused:
 * the two would disagree about what exists, and drizzle-orm 1.0 itself refuses a journal.
 */
export function detectLayout(dir: string): MigrationLayout {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new JournalError(`${printable(dir)} is not a folder: pass the migrations folder`);
  const hasJournal = existsSync(join(dir, JOURNAL));
  const folders = migrationFoldersIn(dir);
  if (hasJournal && folders.length) {
    throw new JournalError(
      `${printable(dir)} holds both ${JOURNAL} and drizzle-kit 1.0 migration folders (${printable(folders[0]!)}${folders.length > 1 ? ` and ${folders.length - 1} more` : ''}): ` +
        `keep one layout. Finish the move (drizzle-kit up writes the folders and deletes meta/), or delete the folders`,
    );
  }
  if (hasJournal) return 'journal';
  if (folders.length) return 'folders';
  throw new JournalError(
    `${printable(dir)} has no ${JOURNAL} and no <timestamp>_<name>/migration.sql folder: pass the migrations folder`,
  );
}

/** The migration set of a folder, whichever layout it is in: the one reader the runner, linter and trace use. */
export function readMigrationSet(dir: string): MigrationSet {
  const layout = detectLayout(dir);
  if (layout === 'folders') return { dir, layout, ...readFolderMigrations(dir) };
  const migrations = loadJournalMigrations(dir);
  return { dir, layout, migrations, strays: sqlFilesWithoutEntry(dir, migrations) };
}

export function loadMigrations(dir: string): Migration[] {
  return readMigrationSet(dir).migrations;
}

/** Why a stray file does nothing, and what to do, for the layout (completes "<file> ..."). */
export function strayAdvice(layout: MigrationLayout): string {
  return layout === 'journal'
    ? 'has no entry in meta/_journal.json, so it is never applied: add it with drizzle-kit generate (docs/migrations.md), or delete it'
    : 'is not the migration.sql of a <timestamp>_<name> folder, so it is never applied: move it into one (drizzle-kit generate --custom makes the folder), or delete it';
}
