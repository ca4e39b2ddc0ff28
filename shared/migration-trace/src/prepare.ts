import type { Sql } from 'postgres';
import { djNameOfRowSql, migrationTitle, searchDocSql } from '@wxyc/database';

/**
 * Data a migration expects production to have when it deploys (what its runbook's backfill
 * leaves), put in place before the migration is traced and not timed. Keyed by migration tag.
 */
export interface PrepareStep {
  describe: string;
  run(sql: Sql): Promise<void>;
}

export const PREPARE_STEPS: Record<string, PrepareStep> = {
  // 0061's guards refuse while a backfill has work left: production applies it after
  // jobs/backfills/flowsheet-dj-name-backfill and jobs/backfills/flowsheet-search-doc-backfill,
  // so the trace fills both columns first.
  '0061_flowsheet-search-doc-switch': {
    describe:
      'dj_name and search_doc backfills (jobs/backfills/flowsheet-dj-name-backfill, flowsheet-search-doc-backfill)',
    async run(sql) {
      // Constant SQL fragments from @wxyc/database; no values are interpolated.
      await sql.unsafe(`
        UPDATE wxyc_schema.flowsheet f
        SET dj_name = COALESCE(${djNameOfRowSql('f')}, 'unresolved')
        WHERE f.entry_type = 'track' AND f.dj_name IS NULL`);
      await sql.unsafe(
        `UPDATE wxyc_schema.flowsheet f SET search_doc_new = ${searchDocSql('f')} WHERE f.search_doc_new IS NULL`,
      );
      // The backfills ran in batches with autovacuum behind them: no table of dead row versions.
      await sql.unsafe('VACUUM ANALYZE wxyc_schema.flowsheet');
    },
  },
};

/**
 * The step of a migration: by tag, or, in drizzle-kit 1.0's folders layout (where `drizzle-kit
 * up` swapped the NNNN_ number for a timestamp), by the name both layouts share.
 */
export function prepareStepFor(steps: Record<string, PrepareStep>, tag: string): PrepareStep | undefined {
  const title = migrationTitle(tag);
  return steps[tag] ?? Object.entries(steps).find(([k]) => migrationTitle(k) === title)?.[1];
}
