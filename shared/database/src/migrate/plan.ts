import type { Migration } from '../journal.js';

/** One row of drizzle.__drizzle_migrations, as drizzle's migrator writes it. */
export interface AppliedRow {
  id: number;
  hash: string;
  /** The journal's `when` of the migration (epoch ms); postgres returns bigint as text. */
  created_at: string | number | null;
}

export interface MigrationPlan {
  applied: Migration[];
  /** In journal order; includes any migration older than an applied one (never skipped). */
  pending: Migration[];
  /** Applied, but the file's sha256 differs from the recorded hash. */
  drifted: { migration: Migration; recordedHash: string }[];
  /** Pending migrations whose `when` is older than the newest applied one (drizzle's cursor would skip them). */
  outOfOrder: Migration[];
  /** Recorded rows that match no journal entry (e.g. a migration file was removed). */
  unknownRows: AppliedRow[];
  /**
   * Journal entries whose file was applied (same sha256) under another `when`: the journal's
   * `when` was edited. Not pending: applying them again would run their DDL twice.
   */
  movedWhen: { migration: Migration; row: AppliedRow }[];
}

/**
 * Matches recorded rows to journal entries by created_at = `when`, never by "newer than the
 * latest applied", so an entry can never be silently skipped.
 */
export function planMigrations(migrations: Migration[], rows: AppliedRow[]): MigrationPlan {
  const byWhen = new Map<number, AppliedRow>();
  for (const r of rows) if (r.created_at !== null) byWhen.set(Number(r.created_at), r);
  const known = new Set(migrations.map((m) => m.when));
  const plan: MigrationPlan = { applied: [], pending: [], drifted: [], outOfOrder: [], unknownRows: [], movedWhen: [] };
  let newestApplied = -Infinity;
  for (const m of migrations) {
    const row = byWhen.get(m.when);
    if (!row) {
      plan.pending.push(m);
      continue;
    }
    plan.applied.push(m);
    newestApplied = Math.max(newestApplied, m.when);
    if (row.hash !== m.hash) plan.drifted.push({ migration: m, recordedHash: row.hash });
  }
  plan.unknownRows = rows.filter((r) => r.created_at === null || !known.has(Number(r.created_at)));
  for (const m of plan.pending) {
    const row = plan.unknownRows.find((r) => r.hash === m.hash);
    if (row) plan.movedWhen.push({ migration: m, row });
  }
  plan.pending = plan.pending.filter((m) => !plan.movedWhen.some((x) => x.migration === m));
  plan.outOfOrder = plan.pending.filter((m) => m.when < newestApplied);
  return plan;
}
