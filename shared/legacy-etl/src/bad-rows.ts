import type { Logger } from '@wxyc/job-runtime';

/** How many legacy ids to print per reason; the count is always exact. */
const IDS_SHOWN = 20;

interface Tally {
  count: number;
  ids: number[];
}

/**
 * Bad-row accounting for one tick or load. `reject` = the row was skipped; `repair` = the
 * row was imported with a fix (truncated text, replaced bytes). Both are logged with the
 * legacy ids so an operator can look them up in MySQL.
 */
export class BadRows {
  private readonly rejected = new Map<string, Tally>();
  private readonly repaired = new Map<string, Tally>();

  reject(table: string, legacyId: number, reason: string): void {
    add(this.rejected, `${table}: ${reason}`, legacyId);
  }

  repair(table: string, legacyId: number, reason: string): void {
    add(this.repaired, `${table}: ${reason}`, legacyId);
  }

  get rejectedCount(): number {
    return total(this.rejected);
  }

  get repairedCount(): number {
    return total(this.repaired);
  }

  /** One warning line per reason, e.g. `skipped 3 rows, FLOWSHEET_ENTRY_PROD: unknown show id (legacy ids 7, 9, 12)`. */
  report(log: Logger): void {
    for (const [reason, t] of this.rejected) log.warn(`skipped ${t.count} ${plural(t.count)}, ${reason} (${ids(t)})`);
    for (const [reason, t] of this.repaired) log.warn(`repaired ${t.count} ${plural(t.count)}, ${reason} (${ids(t)})`);
  }
}

function add(map: Map<string, Tally>, key: string, id: number): void {
  const t = map.get(key) ?? { count: 0, ids: [] };
  t.count++;
  if (t.ids.length < IDS_SHOWN) t.ids.push(id);
  map.set(key, t);
}

function total(map: Map<string, Tally>): number {
  let n = 0;
  for (const t of map.values()) n += t.count;
  return n;
}

const plural = (n: number) => (n === 1 ? 'row' : 'rows');

function ids(t: Tally): string {
  const more = t.count > t.ids.length ? `, ... ${t.count - t.ids.length} more` : '';
  return `legacy id${t.count === 1 ? '' : 's'} ${t.ids.join(', ')}${more}`;
}
