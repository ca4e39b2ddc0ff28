import type { Sql } from 'postgres';
import { eachRow, type Task } from '@wxyc/backfill';
import { lmlClient } from '@wxyc/lml';
import type { ResolverSettings } from './settings.js';
import { tally, taskOutcome, type Counts } from './outcomes.js';

export const TASK_NAME = 'rotation-release-id-resolver';

/**
 * Active rotation rows with no Discogs release id (NULL, or the legacy's 0 / negative "none") and
 * something to ask with. Stamped rows within NO_MATCH_TTL_DAYS are left out by `attempted`.
 */
export const PENDING =
  "t.kill_date IS NULL AND (t.discogs_release_id IS NULL OR t.discogs_release_id <= 0) AND btrim(coalesce(t.artist_name, '')) <> '' AND btrim(coalesce(t.album_title, '')) <> ''";

/** A DJ is on air when a flowsheet entry was added in the last 60 s (flowsheet_add_time_idx). */
export async function djOnAir(sql: Sql): Promise<string | null> {
  const [e] = await sql<{ id: number }[]>`
    SELECT id FROM wxyc_schema.flowsheet WHERE add_time > now() - interval '60 seconds' ORDER BY add_time DESC LIMIT 1`;
  return e ? `a DJ is on air (flowsheet entry ${e.id} added in the last 60 s)` : null;
}

/** The resolver as a task of the engine; `counts` gathers this run's verdicts for the summary. */
export function resolverTask(s: ResolverSettings, counts: Counts): Task {
  return {
    name: TASK_NAME,
    table: 'wxyc_schema.rotation',
    key: 'id',
    pending: PENDING,
    attempted: { column: 'discogs_release_id_attempted_at', reaskAfterDays: s.noMatchTtlDays },
    limiter: s.limiter,
    // bad input (nothing to ask once decoded, a 4xx): tried again a day later, 3 tries in all
    retry: { afterMs: 86_400_000, maxAttempts: 3 },
    pauseWhen: djOnAir,
    resolve: eachRow(async (row, ctx) => {
      const lml = lmlClient({ url: s.lmlUrl, apiKey: s.lmlApiKey, fetch: ctx.fetch });
      const { outcome } = await lml.lookup(String(row.artist_name ?? ''), String(row.album_title ?? ''));
      tally(counts, outcome.kind);
      return taskOutcome(outcome, ctx.limiter.breaker.state === 'open');
    }, s.limiter.maxConcurrency),
  };
}
