import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasControlCharacter, printable } from '@wxyc/job-runtime';
import { FOLDER_NAME, folderTime } from './folder-name.js';
import { buildMigration, JournalError, refuseNonFile, refuseUnreadableEntry, type Migration } from './journal.js';

export const FOLDER_SQL = 'migration.sql';

export interface FolderMigrations {
  migrations: Migration[];
  /** `.sql` files no migration is made of (beside the folders, or beside a folder's migration.sql). */
  strays: string[];
}

/**
 * drizzle-kit 1.0's layout: one `<yyyymmddhhmmss>_<name>/migration.sql` per migration, no journal.
 * Order is drizzle-orm 1.0's (readMigrationFiles: folder names by localeCompare), so the
 * timestamp orders them and the name breaks ties within a second. Unlike drizzle, which skips a
 * folder without migration.sql and reads any name, a malformed folder is refused here: it would
 * otherwise never be applied, or be applied with a garbage created_at.
 */
export function readFolderMigrations(dir: string): FolderMigrations {
  const strays: string[] = [];
  const folders: { name: string; when: number }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    refuseUnreadableEntry(dir, entry);
    if (!entry.isDirectory()) {
      if (entry.name.endsWith('.sql')) strays.push(entry.name);
      continue;
    }
    const when = folderTime(entry.name);
    if (when === undefined) {
      const why = FOLDER_NAME.test(entry.name)
        ? 'its first 14 digits are not a valid UTC time'
        : 'its name is not <yyyymmddhhmmss>_<name>';
      throw new JournalError(
        `${printable(join(dir, entry.name))}: not a drizzle-kit 1.0 migration folder (${why}): rename it like 20250807224046_add_dj_name (UTC time of creation), or move it out of the migrations folder`,
      );
    }
    if (!existsSync(join(dir, entry.name, FOLDER_SQL))) {
      throw new JournalError(
        `${printable(join(dir, entry.name, FOLDER_SQL))} does not exist: every migration folder needs one (drizzle-kit generate writes it); add it or delete the folder`,
      );
    }
    refuseNonFile(join(dir, entry.name, FOLDER_SQL));
    const inside = readdirSync(join(dir, entry.name), { withFileTypes: true });
    for (const e of inside) if (hasControlCharacter(e.name)) refuseUnreadableEntry(join(dir, entry.name), e);
    strays.push(
      ...inside
        .map((e) => e.name)
        .filter((f) => f.endsWith('.sql') && f !== FOLDER_SQL)
        .map((f) => `${entry.name}/${f}`),
    );
    folders.push({ name: entry.name, when });
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  const migrations = folders.map((f, idx) =>
    buildMigration({
      idx,
      tag: f.name,
      when: f.when,
      file: join(dir, f.name, FOLDER_SQL),
      layout: 'folders',
      name: f.name,
    }),
  );
  return { migrations, strays: strays.sort() };
}

/** Subfolders that look like migration folders (a journal folder must hold none); a link named like one counts. */
export function migrationFoldersIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (e) =>
        (e.isDirectory() && (FOLDER_NAME.test(e.name) || existsSync(join(dir, e.name, FOLDER_SQL)))) ||
        (e.isSymbolicLink() && FOLDER_NAME.test(e.name)),
    )
    .map((e) => e.name)
    .sort();
}
