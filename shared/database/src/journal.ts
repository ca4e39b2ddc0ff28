import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

export interface Migration {
  idx: number;
  tag: string;
  when: number;
  file: string;
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
    const where = `${path} entry ${i} (${e?.tag ?? 'no tag'})`;
    if (typeof e?.tag !== 'string' || !/^\d{4}_[\w-]+$/.test(e.tag)) throw new JournalError(`${where}: tag must look like NNNN_name`);
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
    if (!existsSync(join(dir, `${e.tag}.sql`))) throw new JournalError(`${where}: file ${e.tag}.sql does not exist in ${dir}`);
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

export function loadMigrations(dir: string): Migration[] {
  return readJournal(dir).entries.map((e) => {
    const file = join(dir, `${e.tag}.sql`);
    const content = readFileSync(file, 'utf8');
    const statements = splitStatements(content);
    const noTransaction = content.trimStart().startsWith(NO_TRANSACTION_MARKER);
    if (noTransaction && statements.length !== 1) {
      throw new JournalError(`${file}: a ${NO_TRANSACTION_MARKER} migration must hold exactly one statement, found ${statements.length}`);
    }
    if (statements.length === 0) throw new JournalError(`${file}: no SQL statement in the file`);
    return {
      idx: e.idx,
      tag: e.tag,
      when: e.when,
      file,
      hash: createHash('sha256').update(content).digest('hex'),
      content,
      statements,
      noTransaction,
    };
  });
}

/** `.sql` files of the folder that no journal entry names: never applied by anything. */
export function sqlFilesWithoutEntry(dir: string, migrations: Pick<Migration, 'tag'>[]): string[] {
  const tags = new Set(migrations.map((m) => `${m.tag}.sql`));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && !tags.has(f))
    .sort();
}
