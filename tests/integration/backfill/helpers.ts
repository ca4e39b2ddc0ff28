import type { Sql } from 'postgres';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL } from '@wxyc/database';
import type { Logger } from '@wxyc/job-runtime';

/** A logger that keeps its lines for assertions. */
export function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

/** Track rows whose dj_name differs from what the shared expression says now (NULL-safe). */
export async function wrongNames(sql: Sql): Promise<number> {
  const [row] = await sql.unsafe<{ n: number }[]>(`
    SELECT count(*)::int AS n FROM wxyc_schema.flowsheet f
    LEFT JOIN (SELECT s.id, ${DJ_NAME_SQL} AS name FROM ${DJ_NAME_SOURCE_SQL}) x ON x.id = f.show_id
    WHERE f.entry_type = 'track' AND f.dj_name IS DISTINCT FROM x.name`);
  return row!.n;
}

export async function nullTrackRows(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE entry_type = 'track' AND dj_name IS NULL`;
  return row!.n;
}

/** Adds one show (with a legacy name, or none) and `n` track rows for it; returns the show id. */
export async function addShowWithTracks(
  sql: Sql,
  legacyName: string | null,
  n: number,
  showId?: number | null,
): Promise<number> {
  let id = showId;
  if (id === undefined) {
    const [s] = await sql<{ id: number }[]>`
      INSERT INTO wxyc_schema.shows (start_time, legacy_dj_name) VALUES (now(), ${legacyName}) RETURNING id`;
    id = s!.id;
  }
  await sql`
    INSERT INTO wxyc_schema.flowsheet (show_id, entry_type, track_title, play_order)
    SELECT ${id}, 'track', 'Track ' || g, g FROM generate_series(1, ${n}::int) g`;
  return id ?? 0;
}

/** A node of `EXPLAIN (ANALYZE, FORMAT JSON)` (block counts with BUFFERS). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}
