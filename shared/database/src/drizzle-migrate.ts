// Applies migrations the way production got 0000-0052: drizzle's own migrator (one
// transaction, bookkeeping in drizzle.__drizzle_migrations). For tests and the incident demo;
// production migrations go through the guarded runner (src/migrate). `upTo` stops after that
// migration by handing drizzle a copy of the journal cut there.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { MIGRATIONS_DIR } from './paths.js';
import type { Journal } from './journal.js';

export async function migrateWithDrizzle(url: string, opts: { upTo?: string; migrationsDir?: string } = {}): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'wxyc-journal-'));
  try {
    cpSync(opts.migrationsDir ?? MIGRATIONS_DIR, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
    if (opts.upTo) {
      const cut = journal.entries.findIndex((e) => e.tag.startsWith(opts.upTo!));
      if (cut < 0) throw new Error(`no migration ${opts.upTo} in the journal`);
      journal.entries = journal.entries.slice(0, cut + 1);
      writeFileSync(journalPath, JSON.stringify(journal));
    }
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(sql), { migrationsFolder: folder });
    } finally {
      await sql.end();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
