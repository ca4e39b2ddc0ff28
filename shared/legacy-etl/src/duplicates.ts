// A legacy table without its primary key (a restored dump, a table re-created by hand) can hold
// the same ID twice. Which copy is imported must not depend on the order MySQL returns them in:
// the one modified last wins, then the one with the larger source hash (a total order).
import { intCell } from './cells.js';
import type { LegacyRow } from './mysql-source.js';
import { sourceHash } from './source-hash.js';

/** One row per ID (the winner of each duplicated ID; order kept), and the duplicated IDs. */
export function onePerId(rows: LegacyRow[], columns: readonly string[]): { rows: LegacyRow[]; duplicated: number[] } {
  const byId = new Map<number, LegacyRow>();
  const duplicated = new Set<number>();
  for (const row of rows) {
    const id = intCell(row.ID as number)!;
    const held = byId.get(id);
    if (held === undefined) byId.set(id, row);
    else {
      duplicated.add(id);
      if (wins(row, held, columns)) byId.set(id, row);
    }
  }
  if (duplicated.size === 0) return { rows, duplicated: [] };
  return { rows: [...byId.values()], duplicated: [...duplicated].sort((a, b) => a - b) };
}

function wins(a: LegacyRow, b: LegacyRow, columns: readonly string[]): boolean {
  const ma = intCell(a.TIME_LAST_MODIFIED as number) ?? 0;
  const mb = intCell(b.TIME_LAST_MODIFIED as number) ?? 0;
  if (ma !== mb) return ma > mb;
  return sourceHash(columns, a) > sourceHash(columns, b);
}

/** The reason a duplicated ID is counted under (BadRows reports it once per run, with the ids). */
export const DUPLICATE_REASON =
  'the same ID more than once in the source (no primary key?): imported the copy modified last (then the larger source hash)';
