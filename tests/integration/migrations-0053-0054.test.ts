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

  it('0054 refuses while a track row has NULL dj_name and a handle the backfill can fill, naming the backfill and the count', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = 'DJ Bluejay' WHERE id > 3`;
    const err = await refusal();
    expect(err?.message).toBe(
      'flowsheet.dj_name backfill incomplete; run jobs/backfills/flowsheet-dj-name-backfill before applying 0054',
    );
    expect(err?.detail).toBe('3 track rows have dj_name IS NULL and a DJ handle the backfill can fill');
    expect(err?.hint).toBe('See docs/runbooks/flowsheet-dj-name-backfill.md, then deploy again.');
    const [col] = await db.sql<{ has: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'wxyc_schema.flowsheet'::regclass AND attname = 'search_doc' AND NOT attisdropped) AS has`;
    expect(col!.has).toBe(true); // rolled back: the old column is still there
  });

  it('a row whose show has only an account name (no handle) does not block; a handle on the account does', async () => {
    // Show 2: its DJ's account has a real name and no handle, and the show has no legacy handle.
    await db.sql`INSERT INTO auth_user (id, name, email, real_name) VALUES ('g1', 'Real Person', 'g1@wxyc.org', 'Real Person')`;
    await db.sql`INSERT INTO wxyc_schema.shows (id, start_time, primary_dj_id, legacy_dj_name) VALUES (2, now(), 'g1', ' Anonymous ')`;
    await db.sql`UPDATE wxyc_schema.flowsheet SET show_id = 2 WHERE id <= 3`;
    expect(await refusal()).toBeNull();
    await db.sql`UPDATE auth_user SET dj_name = 'DJ Heron' WHERE id = 'g1'`;
    expect((await refusal())?.detail).toBe('3 track rows have dj_name IS NULL and a DJ handle the backfill can fill');
    await db.sql`UPDATE auth_user SET dj_name = NULL WHERE id = 'g1'`;
  });

  it('rows with no show or an unknown show do not block', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET show_id = NULL WHERE id = 1`;
    await db.sql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`; // legacy rows loaded without the FK
      await tx`UPDATE wxyc_schema.flowsheet SET show_id = 99 WHERE id = 2`;
    });
    expect(await refusal()).toBeNull();
  });

  it('NULL dj_name on non-track rows does not block, and 0054 applies with unresolvable rows left NULL', async () => {
    await db.sql`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE entry_type <> 'track'`;
    await apply(migration('0054'));
    const [row] = await db.sql<{ hit: number; left: number }[]>`
      SELECT count(*) FILTER (WHERE search_doc @@ to_tsquery('simple', 'bluejay'))::int AS hit,
             count(*) FILTER (WHERE entry_type = 'track' AND dj_name IS NULL)::int AS left
      FROM wxyc_schema.flowsheet`;
    expect(row).toEqual({ hit: 4497, left: 3 });
  });
});

/** The guard's error, or null when 0054 applied (then rolled back here, so the next test can run it again). */
async function refusal(): Promise<(Error & { detail?: string; hint?: string }) | null> {
  const rolledBack = new Error('rolled back on purpose');
  const err = await db.sql
    .begin(async (tx) => {
      for (const s of migration('0054').statements) await tx.unsafe(s.sql);
      throw rolledBack;
    })
    .then(
      () => null,
      (e: Error & { detail?: string; hint?: string }) => e,
    );
  return err === rolledBack ? null : err;
}
