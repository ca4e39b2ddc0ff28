// Test-only definition: fill items.v, but never while a DJ is on air (a show started in the
// last 4 hours and not ended): the definition's own pause condition.
import type { Sql } from 'postgres';
import type { BackfillDefinition } from '@wxyc/backfill';

export const fillUnlessOnAir: BackfillDefinition = {
  name: 'items-v-off-air',
  table: 'public.items',
  key: 'id',
  columns: ['v'],
  pending: 't.v IS NULL',
  resolve: `SELECT l.id, 'v' || l.id AS v, NULL AS reason FROM locked l`,
  async pauseWhen(sql: Sql) {
    const [show] = await sql<{ id: number }[]>`
      SELECT id FROM on_air WHERE started_at > now() - interval '4 hours' AND ended_at IS NULL ORDER BY id LIMIT 1`;
    return show ? `a DJ is on air (show ${show.id})` : null;
  },
};
