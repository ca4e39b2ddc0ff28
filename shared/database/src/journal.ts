import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { hasControlCharacter, printable } from '@wxyc/job-runtime';
import { folderNameFor } from './folder-name.js';

export interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

export interface Journal {
  version: string;
  dialect: string;
  entries: JournalEntry[];
}

export interface Statement {
  sql: string;
  /** 1-based line in the file where the statement's text starts. */
  line: number;
}

/** journal: meta/_journal.json + NNNN_tag.sql (drizzle-kit 0.x); folders: <timestamp>_<name>/migration.sql (drizzle-kit 1.0). */
export type MigrationLayout = 'journal' | 'folders';

export interface Migration {
  idx: number;
  /** The journal tag (0053_flowsheet-dj-name-column), or the folder name in the folders layout. */
  tag: string;
  /** Epoch ms: the journal's `when`, or the folder's timestamp (whole seconds). Recorded as created_at. */
  when: number;
  /** Absolute path of the SQL file. */
  file: string;
  /** Absent means journal (migrations built by hand in tests and benchmarks). */
  layout?: MigrationLayout;
  /**
   * drizzle-kit 1.0's name of it, recorded in the tracking table's `name` column: the folder name,
   * or for a journal entry the folder `drizzle-kit up` makes of it (absent: derived, see drizzleName).
   */
  name?: string;
  /** sha256 of the whole file, as drizzle records it in drizzle.__drizzle_migrations.hash */
  hash: string;
  content: string;
  statements: Statement[];
  /** First line `-- migrate:no-transaction`: one statement, run outside a transaction. */
  noTransaction: boolean;
}

/** A journal we must not apply; the message names the file and what to fix. */
export class JournalError extends Error {
  override name = 'JournalError';
}

export const NO_TRANSACTION_MARKER = '-- migrate:no-transaction';
const BREAKPOINT = '--> statement-breakpoint';

export function readJournal(dir: string): Journal {
  const path = join(dir, 'meta', '_journal.json');
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  } catch (err) {
    throw new JournalError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(journal.entries)) throw new JournalError(`${path} has no "entries" array`);
  const tags = new Set<string>();
  journal.entries.forEach((e, i) => {
    const where = `${printable(path)} entry ${i} (${printable(String(e?.tag ?? 'no tag'))})`;
    if (typeof e?.tag !== 'string' || !/^\d{4}_[\w-]+$/.test(e.tag))
      throw new JournalError(`${where}: tag must look like NNNN_name`);
    if (!Number.isSafeInteger(e.when)) throw new JournalError(`${where}: "when" must be an integer (epoch ms)`);
    if (tags.has(e.tag)) throw new JournalError(`${where}: tag appears twice`);
    tags.add(e.tag);
    const prev = journal.entries[i - 1];
    if (prev && e.when <= prev.when) {
      throw new JournalError(
        `${where}: "when" ${e.when} is not greater than ${prev.tag}'s ${prev.when}; ` +
          `"when" must strictly increase (applied migrations are matched by it)`,
      );
    }
    if (!existsSync(join(dir, `${e.tag}.sql`)))
      throw new JournalError(`${where}: file ${e.tag}.sql does not exist in ${printable(dir)}`);
    refuseNonFile(join(dir, `${e.tag}.sql`));
  });
  return journal;
}

/** Splits a drizzle migration on its breakpoints, keeping each statement's line number. */
export function splitStatements(content: string): Statement[] {
  const out: Statement[] = [];
  let line = 1;
  for (const chunk of content.split(BREAKPOINT)) {
    // Leading blank and comment lines are not part of the statement: its line is where SQL starts.
    const lead = chunk.match(/^(?:[ \t]*(?:--[^\n]*)?\n)*/)?.[0] ?? '';
    const text = chunk.slice(lead.length).trim();
    if (text && !isOnlyComments(text)) out.push({ sql: text, line: line + countNewlines(lead) });
    line += countNewlines(chunk);
  }
  return out;
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

function isOnlyComments(text: string): boolean {
  return text.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('--'));
}

/** The migrations meta/_journal.json lists, in its order (the journal layout). */
export function loadJournalMigrations(dir: string): Migration[] {
  return readJournal(dir).entries.map((e) =>
    buildMigration({
      idx: e.idx,
      tag: e.tag,
      when: e.when,
      file: join(dir, `${e.tag}.sql`),
      layout: 'journal',
      name: folderNameFor(e.when, e.tag),
    }),
  );
}

/**
 * An entry no reader may skip or print as it is: a name with a control character (a newline in
 * it forges log lines) or a symbolic link (readdir reports it as no folder, so a linked migration
 * folder was silently never applied). Refused with the path escaped.
 */
export function refuseUnreadableEntry(dir: string, entry: Dirent): void {
  const path = join(dir, entry.name);
  if (hasControlCharacter(entry.name)) {
    throw new JournalError(
      `${printable(path)}: the name holds a control character (shown escaped): rename it in plain characters, or move it out of the migrations folder`,
    );
  }
  if (entry.isSymbolicLink()) {
    throw new JournalError(
      `${printable(path)} is a symbolic link: migrations are read only from real folders and files (a linked one was never applied); put the folder or file itself in the migrations folder`,
    );
  }
}

/** A migration's SQL must be a file: reading a directory failed with a bare EISDIR, no path (exit 1). */
export function refuseNonFile(path: string): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    throw new JournalError(`${printable(path)} cannot be read: ${(err as Error).message}`);
  }
  if (!isFile)
    throw new JournalError(
      `${printable(path)} is a directory, not a file: a migration is one SQL file; replace it with the file`,
    );
}

/** Reads one migration's file and checks what every layout requires of its content. */
export function buildMigration(base: Omit<Migration, 'hash' | 'content' | 'statements' | 'noTransaction'>): Migration {
  const content = readFileSync(base.file, 'utf8');
  const statements = splitStatements(content);
  const noTransaction = content.trimStart().startsWith(NO_TRANSACTION_MARKER);
  if (noTransaction && statements.length !== 1) {
    throw new JournalError(
      `${base.file}: a ${NO_TRANSACTION_MARKER} migration must hold exactly one statement, found ${statements.length}`,
    );
  }
  if (statements.length === 0) throw new JournalError(`${base.file}: no SQL statement in the file`);
  return { ...base, hash: createHash('sha256').update(content).digest('hex'), content, statements, noTransaction };
}

/** The file as messages show it: `0053_x.sql`, or `20250807224046_x/migration.sql`. */
export function migrationFileName(m: Pick<Migration, 'tag' | 'layout'>): string {
  return m.layout === 'folders' ? `${m.tag}/migration.sql` : `${m.tag}.sql`;
}

/** The `name` drizzle 1.0 records for the migration (see Migration.name). */
export function drizzleName(m: Pick<Migration, 'tag' | 'when' | 'name'>): string {
  return m.name ?? folderNameFor(m.when, m.tag);
}

/** `.sql` files of the folder that no journal entry names: never applied by anything. */
export function sqlFilesWithoutEntry(dir: string, migrations: Pick<Migration, 'tag'>[]): string[] {
  const tags = new Set(migrations.map((m) => `${m.tag}.sql`));
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const e of entries) if (hasControlCharacter(e.name)) refuseUnreadableEntry(dir, e);
  return entries
    .map((e) => e.name)
    .filter((f) => f.endsWith('.sql') && !tags.has(f))
    .sort();
}
