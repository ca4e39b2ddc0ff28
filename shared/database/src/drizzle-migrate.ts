// Applies migrations the way production got 0000-0052: drizzle's own migrator (one
// transaction, bookkeeping in drizzle.__drizzle_migrations). For tests and the incident demo;
// production migrations go through the guarded runner (src/migrate). `upTo` stops after that
// migration by handing drizzle a copy of the journal cut there. drizzle's migrator cannot run a
// `-- migrate:no-transaction` file (CREATE INDEX CONCURRENTLY refuses a transaction block), so
// each one is run here on its own and recorded the runner's way, between drizzle's runs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { MIGRATIONS_DIR } from './paths.js';
import { type Journal } from './journal.js';
import { detectLayout, loadMigrations } from './migration-set.js';
import { ensureBookkeeping, recordApplied } from './migrate/bookkeeping.js';

export async function migrateWithDrizzle(
  url: string,
  opts: { upTo?: string; migrationsDir?: string } = {},
): Promise<void> {
  const dir = opts.migrationsDir ?? MIGRATIONS_DIR;
  if (detectLayout(dir) === 'folders') {
    throw new Error(
      `${dir} is in drizzle-kit 1.0's folders layout: drizzle-orm 0.x's migrator (migrateWithDrizzle) reads only meta/_journal.json; use the runner`,
    );
  }
  const folder = mkdtempSync(join(tmpdir(), 'wxyc-journal-'));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    cpSync(dir, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
    const cut = opts.upTo ? journal.entries.findIndex((e) => e.tag.startsWith(opts.upTo!)) : journal.entries.length - 1;
    if (cut < 0) throw new Error(`no migration ${opts.upTo} in the journal`);
    const noTx = new Map(
      loadMigrations(dir)
        .filter((m) => m.noTransaction)
        .map((m) => [m.tag, m]),
    );
    const entries = journal.entries.slice(0, cut + 1);
    const runDrizzleTo = async (end: number) => {
      writeFileSync(journalPath, JSON.stringify({ ...journal, entries: entries.slice(0, end) }));
      await migrate(drizzle(sql), { migrationsFolder: folder });
    };
    for (const [i, e] of entries.entries()) {
      const m = noTx.get(e.tag);
      if (!m) continue;
      await runDrizzleTo(i);
      if (await isApplied(sql, m.when)) continue;
      await sql.unsafe(m.statements[0]!.sql);
      await ensureBookkeeping(sql);
      await recordApplied(sql, m, 'v0');
    }
    await runDrizzleTo(entries.length);
  } finally {
    await sql.end();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function isApplied(sql: Sql, when: number): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`
    SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL
       AND EXISTS (SELECT 1 FROM drizzle.__drizzle_migrations WHERE created_at = ${when}) AS ok`;
  return row!.ok;
}
