// Test-only definition: copy each play's (id, kind, played_at) into plays_archive, once.
import type { BackfillDefinition } from '@wxyc/backfill';

export const archiveInsert: BackfillDefinition = {
  name: 'archive-insert',
  mode: 'insert',
  table: 'public.plays',
  into: 'public.plays_archive',
  key: 'id',
  columns: ['play_id', 'kind', 'played_at'],
  pending: 'NOT EXISTS (SELECT 1 FROM public.plays_archive a WHERE a.play_id = t.id)',
  limits: { ceilingShare: 1 },
  resolve: `
    SELECT l.id, l.id AS play_id, l.kind::text AS kind, l.played_at,
           CASE WHEN l.played_at IS NULL THEN 'never played' END AS reason
    FROM locked l`,
};
