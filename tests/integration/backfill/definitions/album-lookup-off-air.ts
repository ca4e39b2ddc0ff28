// Test-only definition: the album lookup, but never while a DJ is on air (a show started in the
// last 4 hours and not ended): a lookup definition's own pause condition.
import type { Sql } from 'postgres';
import type { LimiterSettings, LookupBackfillDefinition } from '@wxyc/backfill';
import { albumLookup } from './album-lookup.js';

export const albumLookupOffAir = (api: string, limiter: Partial<LimiterSettings>): LookupBackfillDefinition => ({
  ...albumLookup(api, limiter),
  name: 'album-lookup-off-air',
  async pauseWhen(sql: Sql) {
    const [show] = await sql<{ id: number }[]>`
      SELECT id FROM on_air WHERE started_at > now() - interval '4 hours' AND ended_at IS NULL ORDER BY id LIMIT 1`;
    return show ? `a DJ is on air (show ${show.id})` : null;
  },
});
