import { floorToSecond } from '../folder-name.js';
import { drizzleName, type Migration } from '../journal.js';
import type { AppliedRow } from './plan.js';

/**
 * Which migration each recorded row records (a migration recorded twice has two rows).
 * - A row with a `name` (drizzle 1.0's table) records the migration of that name: drizzle-orm
 *   1.0 decides what is applied by name alone.
 * - A row without one (written by drizzle 0.x or this runner before the move) in the journal
 *   layout: created_at = the journal's `when`, exactly, as before.
 * - Such a row in the folders layout: drizzle 1.0's own upgrade rule (up-migrations/pg.ts),
 *   because a folder's time has whole seconds and the journal's `when` had milliseconds:
 *   created_at truncated to the second = the folder's time; when several folders share that
 *   second (0058 and 0059 do), the one with the row's hash; failing that, the only one of them no
 *   other row claims. Never by hash alone: a folder whose time moved is refused (moved), not
 *   silently taken as applied.
 */
export function matchRows(migrations: Migration[], rows: AppliedRow[]): Map<AppliedRow, Migration> {
  const byName = new Map(migrations.map((m) => [drizzleName(m), m]));
  const byWhen = new Map(migrations.map((m) => [m.when, m]));
  const bySecond = new Map<number, Migration[]>();
  for (const m of migrations) bySecond.set(m.when, [...(bySecond.get(m.when) ?? []), m]);
  const matched = new Map<AppliedRow, Migration>();
  const claimed = new Set<Migration>();
  const claim = (r: AppliedRow, m: Migration | undefined) => {
    if (!m) return;
    matched.set(r, m);
    claimed.add(m);
  };
  const ambiguous: { row: AppliedRow; candidates: Migration[] }[] = [];
  for (const r of rows) {
    if (r.name != null) claim(r, byName.get(r.name));
    else if (r.created_at === null) continue;
    else if (migrations[0]?.layout !== 'folders') claim(r, byWhen.get(Number(r.created_at)));
    else {
      const candidates = bySecond.get(floorToSecond(Number(r.created_at))) ?? [];
      const pick = candidates.length === 1 ? candidates[0] : candidates.find((m) => m.hash === r.hash);
      if (pick || !candidates.length) claim(r, pick);
      else ambiguous.push({ row: r, candidates });
    }
  }
  for (const { row, candidates } of ambiguous) {
    const free = candidates.filter((m) => !claimed.has(m));
    if (free.length === 1) claim(row, free[0]);
  }
  return matched;
}
