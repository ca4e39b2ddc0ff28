// The runner on drizzle-kit 1.0's folders layout: the real history converted (convertToFolders,
// named as `drizzle-kit up` names folders), a database at 0052 migrated with each layout, and
// one migrated partway under the journal that continues under the folders. The bookkeeping is
// checked against what drizzle-orm 1.0's migrator writes and how it decides what is applied
// (by name: getMigrationsToRun), read from its source (docs/migrations.md, "drizzle-kit 1.0 folders").
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATE_EXIT, MIGRATIONS_DIR, convertToFolders, loadMigrations, type Journal } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import { runRunner, spawnRunner, useScratch } from '../../support/migrate-runner.js';

const { database, session } = useScratch();
const journal = loadMigrations(MIGRATIONS_DIR);
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
/** The real history in the folders layout, in a folder of its own. */
const foldersCopy = () => {
  const dir = temp('wxyc-folders-');
  convertToFolders(MIGRATIONS_DIR, dir);
  return dir;
};
/** The real history in the journal layout, cut after `last` (e.g. '0055'). */
const journalUpTo = (last: string) => {
  const dir = temp('wxyc-journal-');
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const path = join(dir, 'meta', '_journal.json');
  const j = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  const cut = j.entries.findIndex((e) => e.tag.startsWith(last));
  for (const e of j.entries.slice(cut + 1)) rmSync(join(dir, `${e.tag}.sql`));
  writeFileSync(path, JSON.stringify({ ...j, entries: j.entries.slice(0, cut + 1) }));
  return dir;
};

interface Row {
  id: number;
  hash: string;
  created_at: string;
  name: string | null;
  applied_at: Date | null;
}
const rows = (db: TestDatabase) => db.sql<Row[]>`SELECT * FROM drizzle.__drizzle_migrations ORDER BY id`;
const tableShape = (db: TestDatabase) => db.sql`
  SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
  WHERE table_schema = 'drizzle' AND table_name = '__drizzle_migrations' ORDER BY ordinal_position`;
/** Schema of the station's tables: columns, indexes, constraints, triggers. */
async function schemaOf(db: TestDatabase): Promise<unknown[]> {
  return Promise.all([
    db.sql`SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default, generation_expression
      FROM information_schema.columns WHERE table_schema IN ('public', 'wxyc_schema') ORDER BY 1, 2, 3`,
    db.sql`SELECT schemaname, indexname, indexdef FROM pg_indexes WHERE schemaname IN ('public', 'wxyc_schema') ORDER BY 1, 2`,
    db.sql`SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint
      WHERE connamespace IN ('public'::regnamespace, 'wxyc_schema'::regnamespace) ORDER BY 1, 2`,
    db.sql`SELECT tgrelid::regclass::text AS rel, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`,
  ]);
}
/** drizzle-orm 1.0's getMigrationsToRun: the folders whose name the table does not hold. */
const drizzle1WouldRun = (folders: string[], recorded: Row[]) =>
  folders.filter((f) => !recorded.some((r) => r.name === f));

describe('a database at 0052 (applied by drizzle 0.x), migrated with each layout', () => {
  const folders = foldersCopy();
  const converted = loadMigrations(folders);
  let viaJournal: TestDatabase;
  let viaFolders: TestDatabase;
  beforeAll(async () => {
    [viaJournal, viaFolders] = await Promise.all([database(), database()]);
    await Promise.all([
      migrateWithDrizzle(viaJournal.url, { upTo: '0052' }),
      migrateWithDrizzle(viaFolders.url, { upTo: '0052' }),
    ]);
  });

  it('reaches the same schema with either layout', async () => {
    const j = await runRunner(viaJournal.url, { dir: MIGRATIONS_DIR });
    expect(j.code, j.output).toBe(0);
    const f = await runRunner(viaFolders.url, { dir: folders });
    expect(f.code, f.output).toBe(0);
    expect(f.output).toContain(`applied ${journal.length - 53} migration(s)`);
    expect(await schemaOf(viaFolders)).toEqual(await schemaOf(viaJournal));
  });

  it("journal layout: drizzle 0.x's table, untouched in shape; folders layout: upgraded the way drizzle 1.0 upgrades it", async () => {
    expect((await tableShape(viaJournal)).map((c) => c.column_name)).toEqual(['id', 'hash', 'created_at']);
    expect(await tableShape(viaFolders)).toEqual([
      expect.objectContaining({ column_name: 'id', data_type: 'integer', is_nullable: 'NO' }),
      expect.objectContaining({ column_name: 'hash', data_type: 'text', is_nullable: 'NO' }),
      expect.objectContaining({ column_name: 'created_at', data_type: 'bigint' }),
      expect.objectContaining({ column_name: 'name', data_type: 'text', is_nullable: 'YES', column_default: null }),
      expect.objectContaining({
        column_name: 'applied_at',
        data_type: 'timestamp with time zone',
        column_default: 'now()',
      }),
    ]);
    const recorded = await rows(viaFolders);
    // 0000-0052 by drizzle 0.x: kept, named in the upgrade, applied_at NULL (unknown), as drizzle 1.0 leaves them.
    const old = recorded.slice(0, 53);
    expect(old.map((r) => r.created_at)).toEqual(journal.slice(0, 53).map((m) => String(m.when)));
    expect(old.map((r) => r.name)).toEqual(journal.slice(0, 53).map((m) => m.name));
    expect(old.every((r) => r.applied_at === null)).toBe(true);
    // 0053 on, by the runner: drizzle 1.0's insert (hash, folder time, folder name), applied_at by default.
    const fresh = recorded.slice(53);
    const expected = converted.filter((m) => !old.some((r) => r.name === m.name));
    expect(fresh.map((r) => [r.name, r.created_at, r.hash])).toEqual(
      expected.map((m) => [m.tag, String(m.when), m.hash]),
    );
    expect(fresh.every((r) => r.applied_at instanceof Date)).toBe(true);
    // Same files recorded under both layouts; drizzle 1.0's migrator would find nothing to run.
    expect(recorded.map((r) => r.hash).sort()).toEqual((await rows(viaJournal)).map((r) => r.hash).sort());
    expect(
      drizzle1WouldRun(
        converted.map((m) => m.tag),
        recorded,
      ),
    ).toEqual([]);
  });

  it('a second run finds nothing to do in either layout, on the upgraded table too', async () => {
    for (const dir of [folders, MIGRATIONS_DIR]) {
      const r = await runRunner(viaFolders.url, { dir });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain('database is up to date');
      expect(r.output).not.toContain('warning');
    }
    const status = await runRunner(viaFolders.url, { dir: folders, mode: 'status' });
    expect(status.output).toContain(`${journal.length} applied, 0 pending, 0 drifted`);
    expect(status.output).toContain(`applied  ${converted.at(-1)!.tag}`);
  });
});

describe('a database migrated to 0055 under the journal, then to the end under the folders', () => {
  it('continues where the journal left off: nothing applied twice, the same end state', async () => {
    const [mixed, reference] = await Promise.all([database(), database()]);
    await Promise.all([
      migrateWithDrizzle(mixed.url, { upTo: '0052' }),
      migrateWithDrizzle(reference.url, { upTo: '0052' }),
    ]);
    const first = await runRunner(mixed.url, { dir: journalUpTo('0055') });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('applied 3 migration(s)');

    const folders = foldersCopy();
    const dry = await runRunner(mixed.url, { dir: folders, mode: 'dry-run' });
    expect(dry.output).toContain(
      "would add name and applied_at to drizzle.__drizzle_migrations (drizzle-kit 1.0's table) and name its 56 recorded row(s)",
    );
    expect((await tableShape(mixed)).map((c) => c.column_name)).toEqual(['id', 'hash', 'created_at']);

    const second = await runRunner(mixed.url, { dir: folders });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain("added name and applied_at (drizzle-kit 1.0's table), named 56 recorded row(s)");
    expect(second.output).toContain(`applied ${journal.length - 56} migration(s)`);
    expect(second.output).not.toMatch(
      /applying \d{14}_(flowsheet-dj-name-column|flowsheet-search-doc-expand|add-reconciled-identity-to-artists)\b/,
    );

    expect((await runRunner(reference.url, { dir: MIGRATIONS_DIR })).code).toBe(0);
    expect(await schemaOf(mixed)).toEqual(await schemaOf(reference));
    const recorded = await rows(mixed);
    expect(recorded).toHaveLength(journal.length);
    expect(recorded.slice(0, 56).every((r) => r.applied_at === null && r.name !== null)).toBe(true);
    expect(
      drizzle1WouldRun(
        loadMigrations(folders).map((m) => m.tag),
        recorded,
      ),
    ).toEqual([]);
  });
});

describe('a new database in the folders layout', () => {
  it("gets drizzle 1.0's table from the start and the same schema as the journal gives", async () => {
    const fresh = await database();
    const folders = foldersCopy();
    const r = await runRunner(fresh.url, { dir: folders });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain('added name and applied_at');
    const head = await database('head');
    expect(await schemaOf(fresh)).toEqual(await schemaOf(head));
    const recorded = await rows(fresh);
    expect(recorded.map((x) => x.name)).toEqual(loadMigrations(folders).map((m) => m.tag));
    expect(recorded.every((x) => x.applied_at instanceof Date)).toBe(true);
  });
});

describe('guards in the folders layout', () => {
  const tiny = (names: Record<string, string>) => {
    const dir = temp('wxyc-tiny-');
    for (const [name, sql] of Object.entries(names)) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'migration.sql'), sql);
    }
    return dir;
  };

  it('refuses a folder renamed after it was applied, applying nothing, and says which name to restore', async () => {
    const db = await database();
    const dir = tiny({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    expect((await runRunner(db.url, { dir })).code).toBe(0);
    renameSync(join(dir, '20250101000000_a'), join(dir, '20250301000000_a'));
    mkdirSync(join(dir, '20250401000000_b'));
    writeFileSync(join(dir, '20250401000000_b', 'migration.sql'), 'CREATE TABLE b (id int);');
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(MIGRATE_EXIT.BAD_JOURNAL);
    expect(r.output).toContain(
      '20250301000000_a: this very file (same sha256) was applied as 20250101000000_a (row 1)',
    );
    expect(r.output).toContain('Rename the folder 20250301000000_a back to 20250101000000_a.');
    expect((await db.sql`SELECT to_regclass('public.b') IS NULL AS none`)[0]!.none).toBe(true);
  });

  it('reports an edited migration.sql as drift, an error with MIGRATE_STRICT_HASHES=1', async () => {
    const db = await database();
    const dir = tiny({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    expect((await runRunner(db.url, { dir })).code).toBe(0);
    writeFileSync(join(dir, '20250101000000_a', 'migration.sql'), 'CREATE TABLE a (id bigint);');
    const strict = await runRunner(db.url, { dir, env: { MIGRATE_STRICT_HASHES: '1' } });
    expect(strict.code).toBe(MIGRATE_EXIT.HASH_DRIFT);
    expect(strict.output).toContain('20250101000000_a/migration.sql changed after it was applied');
  });

  it('refuses a malformed folder before connecting: one line naming the file and the fix', async () => {
    const db = await database();
    const dir = tiny({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    mkdirSync(join(dir, '20250102000000_b'));
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(MIGRATE_EXIT.BAD_JOURNAL);
    expect(r.output).toBe(
      `error: bad journal: ${join(dir, '20250102000000_b', 'migration.sql')} does not exist: every migration folder needs one (drizzle-kit generate writes it); add it or delete the folder`,
    );
    expect((await db.sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS none`)[0]!.none).toBe(true);
  });

  it('the real process (node dev_env/init-db.mjs): a folder holding both layouts ends in one line, exit 12; then a fixed one applies', async () => {
    const db = await database();
    const dir = tiny({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    mkdirSync(join(dir, 'meta'));
    writeFileSync(
      join(dir, 'meta', '_journal.json'),
      JSON.stringify({ version: '7', dialect: 'postgresql', entries: [] }),
    );
    const both = spawnRunner(db.url, { dir });
    expect((await both.exited).code, both.output()).toBe(MIGRATE_EXIT.BAD_JOURNAL);
    expect(both.output().trim().split('\n')).toEqual([
      `[migrate] error: bad journal: ${dir} holds both meta/_journal.json and drizzle-kit 1.0 migration folders (20250101000000_a): keep one layout. Finish the move (drizzle-kit up writes the folders and deletes meta/), or delete the folders`,
    ]);
    rmSync(join(dir, 'meta'), { recursive: true });
    const fixed = spawnRunner(db.url, { dir });
    expect((await fixed.exited).code, fixed.output()).toBe(0);
    expect((await rows(db)).map((x) => x.name)).toEqual(['20250101000000_a']);
  });

  it('runs a no-transaction folder outside a transaction and records it by name', async () => {
    const db = await database();
    const dir = tiny({
      '20250101000000_t': 'CREATE TABLE t (a int);',
      '20250102000000_t-index': '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);',
    });
    const r = await runRunner(db.url, { dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('applying 20250102000000_t-index (no transaction)');
    expect((await rows(db)).map((x) => x.name)).toEqual(['20250101000000_t', '20250102000000_t-index']);
  });

  it('warns about a .sql file beside the folders, which nothing applies', async () => {
    const db = await database();
    const dir = tiny({ '20250101000000_a': 'CREATE TABLE a (id int);' });
    writeFileSync(join(dir, 'forgotten.sql'), 'CREATE TABLE f (id int);');
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(0);
    expect(r.output).toContain(
      'warning: forgotten.sql is not the migration.sql of a <timestamp>_<name> folder, so it is never applied',
    );
  });

  it('a lock on the tracking table stops the upgrade at lock_timeout: one line naming the holder, the table and the database unchanged', async () => {
    const db = await database();
    await migrateWithDrizzle(db.url, { upTo: '0052' });
    const holder = session(db.url, 'report-reader');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = holder.begin(async (t) => {
      await t`SELECT count(*) FROM drizzle.__drizzle_migrations`;
      await held;
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = await runRunner(db.url, { dir: foldersCopy(), env: { MIGRATE_LOCK_TIMEOUT: '300ms' } });
      expect(r.code, r.output).toBe(MIGRATE_EXIT.LOCK_TIMEOUT);
      expect(r.output.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
      expect(r.output).toMatch(
        /error: drizzle\.__drizzle_migrations: lock_timeout \(300ms\) while upgrading \(adding drizzle 1\.0's name and applied_at to\) the bookkeeping table, held by pid \d+ \(AccessShareLock, 'report-reader'/,
      );
      expect((await tableShape(db)).map((c) => c.column_name)).toEqual(['id', 'hash', 'created_at']);
      expect((await rows(db)).length).toBe(53);
    } finally {
      release();
      await tx;
    }
  });
});
