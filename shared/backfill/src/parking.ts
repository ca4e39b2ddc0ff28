import { sqlState } from '@wxyc/database';

/** A row whose write failed on a data error, kept in the state until --retry-parked. */
export interface ParkedRow {
  /** The key: a number for an integer key (the SQL walk's rows), else the task engine's key text (JSON array when composite). */
  id: number | string;
  sqlstate: string;
  /** The server's message only: its detail can quote the row's values, which may be personal. */
  message: string;
  /** A failed lookup (TypeScript resolve): not retried before this time (ISO 8601). */
  retryAfter?: string;
  /** Task engine: the key's text values (any type, composite included), and the tries so far. */
  key?: string[];
  attempts?: number;
}

export interface ParkedGroup {
  sqlstate: string;
  message: string;
  count: number;
  sample: (number | string)[];
}

export function parkedRow(id: number, err: unknown): ParkedRow {
  return { id, sqlstate: sqlState(err) ?? '?????', message: (err as Error)?.message ?? String(err) };
}

/** Parked rows grouped by error, with a short sample of ids each: what the summary lists. */
export function parkedGroups(rows: readonly ParkedRow[], sampleSize = 10): ParkedGroup[] {
  const groups = new Map<string, ParkedGroup>();
  for (const r of rows) {
    const k = `${r.sqlstate}\u0000${r.message}`;
    const g = groups.get(k) ?? { sqlstate: r.sqlstate, message: r.message, count: 0, sample: [] };
    g.count++;
    if (g.sample.length < sampleSize) g.sample.push(r.id);
    groups.set(k, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.sqlstate.localeCompare(b.sqlstate));
}

/** Parked keys inside (lo, hi]: what a walk batch over that range leaves out. */
export function parkedIn(rows: readonly ParkedRow[], lo: number, hi: number): number[] {
  return rows.flatMap((r) => (typeof r.id === 'number' && r.id > lo && r.id <= hi ? [r.id] : []));
}

/** Halves of a key list, for isolating the failing rows of a batch (as GitLab halves failed jobs). */
export function halves<T>(ids: readonly T[]): [T[], T[]] {
  const mid = Math.ceil(ids.length / 2);
  return [ids.slice(0, mid), ids.slice(mid)];
}

/** A row whose lookup failed (SQLSTATE-like code `LOOKP`): parked until `retryAfter`. */
export function parkedLookup(id: number, message: string, retryAfter: Date): ParkedRow {
  return { id, sqlstate: LOOKUP_FAILED, message, retryAfter: retryAfter.toISOString() };
}

/** The code parked lookups are grouped under (not a PostgreSQL SQLSTATE: the API failed, not the write). */
export const LOOKUP_FAILED = 'LOOKP';
