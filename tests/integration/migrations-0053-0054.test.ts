import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, loadMigrations, type Migration } from '@wxyc/database';
import { useTestDatabase } from '../support/test-database.js';
import { migrateWithDrizzle } from '../support/drizzle-migrate.js';
import { insertShowWithFlowsheet } from '../support/flowsheet-rows.js';

const db = useTestDatabase('empty');
const migration = (n: string): Migration => loadMigrations(MIGRATIONS_DIR).find((m) => m.tag.startsWith(n))!;

async function apply(m: Migration): Promise<void> {
  await db.sql.begin(async (tx) => {
    for (const s of m.statements) await tx.unsafe(s.sql);
  });
}

const relfilenode = async () =>
  (await db.sql<{ f: string }[]>`SELECT pg_relation_filenode('wxyc_schema.flowsheet')::text AS f`)[0]!.f;

describe('0053 and the 0054 guard on a populated table', () => {
  beforeAll(async () => {
    await migrateWithDrizzle(db.url, { upTo: '0052' });
    await insertShowWithFlowsheet(db.sql, 5000);
  });

  it('0053 is metadata-only: the table is not rewritten', async () => {
    const before = await relfilenode();
    await apply(migration('0053'));
    expect(await relfilenode()).toBe(before);
    const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE dj_name IS NULL`;
    expect(row!.n).toBe(5000);
  });

  it('0054 refuses while a track row has NULL dj_name, naming the backfill and the count', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay' WHERE id > 3`;
    const err = await apply(migration('0054')).then(
      () => null,
      (e: Error & { detail?: string }) => e,
    );
    expect(err?.message).toBe(
      'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0054',
    );
    expect(err?.detail).toBe('3 track rows have dj_name IS NULL');
    const [col] = await db.sql<{ has: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'wxyc_schema.flowsheet'::regclass AND attname = 'search_doc' AND NOT attisdropped) AS has`;
    expect(col!.has).toBe(true); // rolled back: the old column is still there
  });

  it('NULL dj_name on non-track rows does not block 0054, and it applies at zero offending rows', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay' WHERE entry_type = 'track'`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE entry_type <> 'track'`;
    await apply(migration('0054'));
    const [row] = await db.sql<{ hit: number }[]>`
      SELECT count(*)::int AS hit FROM wxyc_schema.flowsheet WHERE search_doc @@ to_tsquery('simple', 'bluejay')`;
    expect(row!.hit).toBe(4500);
  });
});
