import type { Sql } from 'postgres';
import { loadMigrations, planMigrations, readApplied } from '@wxyc/database';

export interface MigrationsStatus {
  applied: number;
  pending: string[];
  drifted: string[];
  /** Recorded rows that match no journal entry. */
  unknown: number;
}

/** The runner's own plan (same matching by `when`, same hashes), read-only. */
export async function readMigrationsStatus(sql: Sql, migrationsDir: string): Promise<MigrationsStatus> {
  const plan = planMigrations(loadMigrations(migrationsDir), await readApplied(sql));
  return {
    applied: plan.applied.length,
    pending: plan.pending.map((m) => m.tag),
    drifted: plan.drifted.map((d) => d.migration.tag),
    unknown: plan.unknownRows.length,
  };
}
