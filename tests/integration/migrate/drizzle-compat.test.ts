import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATE_EXIT, MIGRATIONS_DIR, loadMigrations } from '@wxyc/database';
import type { TestDatabase } from '../../support/test-database.js';
import { migrateWithDrizzle } from '../../support/drizzle-migrate.js';
import { migrationsDir, runRunner, useScratch } from '../../support/migrate-runner.js';

const all = loadMigrations(MIGRATIONS_DIR);
const { database } = useScratch();

const recorded = async (db: TestDatabase) =>
  db.sql<
    { hash: string; created_at: string }[]
  >`SELECT hash, created_at::text FROM drizzle.__drizzle_migrations ORDER BY id`;

describe('a database whose 0000-0052 were applied by drizzle', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await database();
    await migrateWithDrizzle(db.url, { upTo: '0052' });
  });

  it('continues with 0053-0055, recorded the way drizzle records them', async () => {
    const r = await runRunner(db.url, { dir: MIGRATIONS_DIR });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`applied ${all.length - 53} migration(s)`); // 0053 to the newest
    const rows = await recorded(db);
    expect(rows.map((x) => x.created_at)).toEqual(all.map((m) => String(m.when)));
    expect(rows.map((x) => x.hash)).toEqual(all.map((m) => m.hash));
  });

  it("drizzle's migrator then finds nothing to do, and a second run of the runner neither", async () => {
    await migrateWithDrizzle(db.url);
    expect(await recorded(db)).toHaveLength(all.length);
    const r = await runRunner(db.url, { dir: MIGRATIONS_DIR });
    expect(r.code).toBe(0);
    expect(r.output).toContain('database is up to date');
  });

  it('--status lists every migration as applied without changing anything', async () => {
    const r = await runRunner(db.url, { dir: MIGRATIONS_DIR, mode: 'status' });
    expect(r.code).toBe(0);
    expect(r.output).toContain(`${all.length} applied, 0 pending, 0 drifted`);
    expect(r.output).toContain('applied  0055_add-reconciled-identity-to-artists');
  });
});

describe('a new database', () => {
  it("gets the same schema and bookkeeping as drizzle's migrator gives the template", async () => {
    const fresh = await database();
    const r = await runRunner(fresh.url, { dir: MIGRATIONS_DIR });
    expect(r.code, r.output).toBe(0);
    const head = await database('head');
    const columns = (d: TestDatabase) => d.sql`
      SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default, generation_expression
      FROM information_schema.columns WHERE table_schema IN ('public', 'wxyc_schema')
      ORDER BY 1, 2, 3`;
    const indexes = (d: TestDatabase) =>
      d.sql`SELECT schemaname, indexname, indexdef FROM pg_indexes WHERE schemaname IN ('public', 'wxyc_schema') ORDER BY 1, 2`;
    expect(await columns(fresh)).toEqual(await columns(head));
    expect(await indexes(fresh)).toEqual(await indexes(head));
    expect(await recorded(fresh)).toEqual(await recorded(head));
  });
});

describe('journal safety', () => {
  const two = [
    { tag: '0000_a', sql: 'CREATE TABLE a (id int);' },
    { tag: '0001_b', sql: 'CREATE TABLE b (id int);' },
  ];

  it('applies a migration older than the newest applied one instead of skipping it (drizzle would skip it)', async () => {
    const db = await database();
    const later = migrationsDir([{ tag: '0001_b', sql: 'CREATE TABLE b (id int);', when: 2000 }]);
    expect((await runRunner(db.url, { dir: later })).code).toBe(0);
    // A branch merged after 0001 was applied brings 0000 with an older `when`.
    const both = migrationsDir([
      { tag: '0000_a', sql: 'CREATE TABLE a (id int);', when: 1000 },
      { tag: '0001_b', sql: 'CREATE TABLE b (id int);', when: 2000 },
    ]);
    const r = await runRunner(db.url, { dir: both });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(
      '0000_a is older than an applied migration but was never applied: it will be applied now',
    );
    expect((await db.sql`SELECT to_regclass('public.a') IS NOT NULL AS ok`)[0]!.ok).toBe(true);
  });

  it('refuses a journal whose "when" does not strictly increase, applying nothing', async () => {
    const db = await database();
    const dir = migrationsDir(two.map((m) => ({ ...m, when: 5000 })));
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(MIGRATE_EXIT.BAD_JOURNAL);
    expect(r.output).toMatch(/bad journal: .*0001_b.*"when" 5000 is not greater than 0000_a's 5000/);
    expect((await db.sql`SELECT to_regclass('public.a') IS NULL AS none`)[0]!.none).toBe(true);
  });

  it('refuses a journal entry that has no file', async () => {
    const db = await database();
    const dir = migrationsDir(two);
    const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8'));
    journal.entries.push({ idx: 2, version: '7', when: 1_800_000_000_000, tag: '0002_gone', breakpoints: true });
    writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
    const r = await runRunner(db.url, { dir });
    expect(r.code).toBe(MIGRATE_EXIT.BAD_JOURNAL);
    expect(r.output).toContain('file 0002_gone.sql does not exist');
  });

  it('reports hash drift as a warning, and as an error with MIGRATE_STRICT_HASHES=1', async () => {
    const db = await database();
    const dir = mkdtempSync(join(tmpdir(), 'wxyc-drift-'));
    cpSync(migrationsDir(two), dir, { recursive: true });
    expect((await runRunner(db.url, { dir })).code).toBe(0);
    writeFileSync(join(dir, '0000_a.sql'), 'CREATE TABLE a (id bigint);');
    const next = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8'));
    next.entries.push({ idx: 2, version: '7', when: 1_800_000_000_000, tag: '0002_c', breakpoints: true });
    writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(next));
    writeFileSync(join(dir, '0002_c.sql'), 'CREATE TABLE c (id int);');

    const strict = await runRunner(db.url, { dir, env: { MIGRATE_STRICT_HASHES: '1' } });
    expect(strict.code).toBe(MIGRATE_EXIT.HASH_DRIFT);
    expect(strict.output).toContain('0000_a.sql changed after it was applied');
    expect((await db.sql`SELECT to_regclass('public.c') IS NULL AS none`)[0]!.none).toBe(true);

    const status = await runRunner(db.url, { dir, mode: 'status' });
    expect(status.output).toContain('drifted  0000_a');
    expect(status.output).toContain('pending  0002_c');

    const lenient = await runRunner(db.url, { dir });
    expect(lenient.code).toBe(0);
    expect(lenient.output).toMatch(
      /warning: 0000_a\.sql changed after it was applied .*MIGRATE_STRICT_HASHES=1 makes this an error/,
    );
    expect((await db.sql`SELECT to_regclass('public.c') IS NOT NULL AS ok`)[0]!.ok).toBe(true);
  });
});
