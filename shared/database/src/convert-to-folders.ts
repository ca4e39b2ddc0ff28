import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { folderNameFor } from './folder-name.js';
import { JournalError, loadJournalMigrations } from './journal.js';
import { FOLDER_SQL } from './migration-folders.js';

/**
 * Writes a journal-layout folder's migrations into `outDir` in drizzle-kit 1.0's layout, named
 * as `drizzle-kit up` names them (folder-name.ts), each file byte for byte (so its sha256, and
 * what the tracking table recorded, still match), with its meta/NNNN_snapshot.json as
 * snapshot.json where one exists. `drizzle-kit up` itself refuses this history: it wants a
 * snapshot for every entry, and 0000-0054 have none. The source folder is left as it was.
 */
export function convertToFolders(journalDir: string, outDir: string): string[] {
  if (existsSync(outDir) && readdirSync(outDir).length)
    throw new JournalError(`${outDir} is not empty: convert into a new folder`);
  const migrations = loadJournalMigrations(journalDir);
  const names = migrations.map((m) => folderNameFor(m.when, m.tag));
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (seen.has(name))
      throw new JournalError(
        `${migrations[i]!.tag} and another entry would both become the folder ${name}: give one of them another name`,
      );
    seen.add(name);
  }
  migrations.forEach((m, i) => {
    const folder = join(outDir, names[i]!);
    mkdirSync(folder, { recursive: true });
    copyFileSync(m.file, join(folder, FOLDER_SQL));
    const snapshot = join(journalDir, 'meta', `${m.tag.slice(0, 4)}_snapshot.json`);
    if (existsSync(snapshot)) copyFileSync(snapshot, join(folder, 'snapshot.json'));
  });
  return names;
}
