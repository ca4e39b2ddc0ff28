import type { Migration } from '../journal.js';
import { matchRows } from './match.js';

/** One row of drizzle.__drizzle_migrations, as drizzle's migrator writes it. */
export interface AppliedRow {
  id: number;
  hash: string;
  /** The journal's `when` or the folder's time (epoch ms); postgres returns bigint as text. */
  created_at: string | number | null;
  /** drizzle 1.0's column (the folder name); null or absent in drizzle 0.x's table. */
  name?: string | null;
}

export interface MigrationPlan {
  applied: Migration[];
  /** In order; includes any migration older than an applied one (never skipped). */
  pending: Migration[];
  /** Applied, but the file's sha256 differs from the recorded hash. */
  drifted: { migration: Migration; recordedHash: string }[];
  /** Pending migrations ordered before an applied one (drizzle 0.x's cursor would skip them). */
  outOfOrder: Migration[];
  /** Recorded rows that match no migration (e.g. a migration file was removed). */
  unknownRows: AppliedRow[];
  /**
   * Migrations whose very file (same sha256) was applied under another `when` or folder name:
   * the journal's `when` was edited, or the folder renamed. Not pending: applying them again
   * would run their DDL twice.
   */
  movedWhen: { migration: Migration; row: AppliedRow }[];
  /** Each recorded row with the migration it records (to name drizzle 0.x rows in an upgrade). */
  matched: { migration: Migration; row: AppliedRow }[];
}

/** Matches recorded rows to migrations (match.ts), never by "newer than the latest applied", so none is silently skipped. */
export function planMigrations(migrations: Migration[], rows: AppliedRow[]): MigrationPlan {
  const matches = matchRows(migrations, rows);
  const firstRow = new Map<Migration, AppliedRow>();
  for (const [row, m] of matches) if (!firstRow.has(m)) firstRow.set(m, row);
  const plan: MigrationPlan = {
    applied: [],
    pending: [],
    drifted: [],
    outOfOrder: [],
    unknownRows: [],
    movedWhen: [],
    matched: [],
  };
  plan.matched = [...matches].map(([row, migration]) => ({ migration, row }));
  let lastApplied = -1;
  migrations.forEach((m, i) => {
    const row = firstRow.get(m);
    if (!row) {
      plan.pending.push(m);
      return;
    }
    plan.applied.push(m);
    lastApplied = i;
    if (row.hash !== m.hash) plan.drifted.push({ migration: m, recordedHash: row.hash });
  });
  plan.unknownRows = rows.filter((r) => !matches.has(r));
  for (const m of plan.pending) {
    const row = plan.unknownRows.find((r) => r.hash === m.hash);
    if (row) plan.movedWhen.push({ migration: m, row });
  }
  plan.pending = plan.pending.filter((m) => !plan.movedWhen.some((x) => x.migration === m));
  plan.outOfOrder = plan.pending.filter((m) => migrations.indexOf(m) < lastApplied);
  return plan;
}
