// Guarded delete sweep: delete mirrored rows whose legacy id is absent from the legacy id list.
// The guard (the list was loaded at all) runs once per run; the ceiling is a share of the rows that
// carry a legacy id (the declared denominator), not of the whole table.
import type { Sql } from 'postgres';
import { outcome, type Task } from '@wxyc/backfill';

export async function createSweepTables(sql: Sql): Promise<void> {
  await sql`CREATE TABLE mirrored (id int PRIMARY KEY, legacy_id int)`;
  await sql`CREATE TABLE legacy_ids (id int PRIMARY KEY)`;
}

export const guardedSweep = (ceilingShare: number, guardRuns: { n: number }): Task => ({
  name: 'ghost-sweep',
  table: 'public.mirrored',
  key: 'id',
  pending: 't.legacy_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM legacy_ids l WHERE l.id = t.legacy_id)',
  async guard(sql) {
    guardRuns.n++;
    const [r] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM legacy_ids`;
    return r!.n === 0 ? 'the legacy id list is empty (not loaded?)' : null;
  },
  limits: { floor: 1, ceilingShare, denominator: 'SELECT count(*) FROM public.mirrored WHERE legacy_id IS NOT NULL' },
  async resolve(rows) {
    return rows.map(() => outcome.remove({ label: 'ghost' }));
  },
});
