// Test-only definition: delete ghost plays, rows of `plays` whose id is absent from the legacy
// system's id set (loaded per session into a TEMP table by prepare), within a floor and a ceiling.
import type { Sql } from 'postgres';
import type { BackfillDefinition } from '@wxyc/backfill';
import { intArray } from '@wxyc/database';

export const ghostDelete = (legacyIds: () => Promise<number[]>): BackfillDefinition => ({
  name: 'ghost-delete',
  mode: 'delete',
  table: 'public.plays',
  key: 'id',
  columns: [],
  pending: 'NOT EXISTS (SELECT 1 FROM pg_temp.legacy_ids x WHERE x.id = t.id)',
  limits: { floor: 1, ceilingRows: 500, ceilingShare: 0.2 },
  async prepare(sql: Sql) {
    await sql`CREATE TEMP TABLE IF NOT EXISTS legacy_ids (id int PRIMARY KEY)`;
    await sql`TRUNCATE pg_temp.legacy_ids`;
    await sql`INSERT INTO pg_temp.legacy_ids SELECT unnest(${intArray(sql, await legacyIds())})`;
    await sql`ANALYZE pg_temp.legacy_ids`;
  },
});
